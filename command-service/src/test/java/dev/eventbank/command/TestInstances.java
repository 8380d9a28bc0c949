package dev.eventbank.command;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The instance credential of the command service instances these tests start
 * ({@code eventbank.security.internal.*}), and the header another instance sends with it: what a test that calls
 * {@code /internal/**} as a forwarding instance would, or that starts several instances, needs.
 */
final class TestInstances {

    static final String PASSWORD = "it-instance-password";
    static final String HEADER = "X-Eventbank-Instance-Auth";

    private TestInstances() {
    }

    /** The configuration of an instance with the test credential (default username). */
    static Map<String, Object> config() {
        return Map.of("eventbank.security.internal.password", PASSWORD);
    }

    /** {@code config} plus the test credential. */
    static Map<String, Object> with(Map<String, Object> config) {
        Map<String, Object> all = new HashMap<>(config);
        all.putAll(config());
        return all;
    }

    /** The {@value #HEADER} value of the test credential. */
    static String header() {
        return basic("command-service", PASSWORD);
    }

    /** {@code Basic base64(username:password)}. */
    static String basic(String username, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
