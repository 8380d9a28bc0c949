package dev.eventbank.projection;

import dev.eventbank.support.testing.ServiceUnderTest;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The credentials of the projection's tests: the internal API's HTTP Basic credentials (configured on every
 * projection a test starts, sent as the query service sends them) and the test issuer's tokens
 * ({@link ServiceUnderTest#issuer()}) for the rebuild API.
 */
public final class TestSecurity {

    public static final String INTERNAL_USERNAME = "query-service";
    public static final String INTERNAL_PASSWORD = "it-internal-password";

    private TestSecurity() {
    }

    /** {@code config} plus the test issuer's trust and the internal credentials: a secured projection's start-up map. */
    public static Map<String, Object> secured(Map<String, Object> config) {
        Map<String, Object> all = new HashMap<>(ServiceUnderTest.issuer().serviceProperties());
        all.putAll(internalCredentials());
        all.putAll(config);
        return all;
    }

    /** The two configuration keys of the internal credentials. */
    public static Map<String, Object> internalCredentials() {
        return Map.of("eventbank.security.internal.username", INTERNAL_USERNAME,
                "eventbank.security.internal.password", INTERNAL_PASSWORD);
    }

    /** {@code Basic ...} of the internal credentials. */
    public static String internalBasic() {
        return basic(INTERNAL_USERNAME, INTERNAL_PASSWORD);
    }

    public static String basic(String username, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The {@code Authorization} a test's request to {@code path} carries: the internal credentials for the internal
     * API, an operator's token for the rebuild API, else a teller's token (health and metrics need none).
     */
    public static String authorizationFor(String path) {
        if (path.startsWith(InternalApi.V1)) {
            return internalBasic();
        }
        if (path.startsWith("/admin/")) {
            return ServiceUnderTest.bearer("operator", "it-operator");
        }
        return ServiceUnderTest.bearer("teller", "it-teller");
    }
}
