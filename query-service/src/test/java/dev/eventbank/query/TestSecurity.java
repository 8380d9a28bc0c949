package dev.eventbank.query;

import dev.eventbank.support.testing.ServiceUnderTest;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The credentials of the query service's tests: the test issuer's trust ({@link ServiceUnderTest#issuer()}), the
 * internal credentials this service sends to the projection (and a stand-in projection checks), and tokens.
 */
final class TestSecurity {

    static final String INTERNAL_USERNAME = "query-service";
    static final String INTERNAL_PASSWORD = "it-internal-password";
    /** What a request of these tests carries when it names no caller: a teller's token. */
    static final String TELLER = ServiceUnderTest.bearer("teller", "it-teller");

    private TestSecurity() {
    }

    /** {@code config} plus the test issuer's trust and the internal credentials: a query service's start-up map. */
    static Map<String, Object> secured(Map<String, Object> config) {
        Map<String, Object> all = new HashMap<>(ServiceUnderTest.issuer().serviceProperties());
        all.putAll(internalCredentials());
        all.putAll(config);
        return all;
    }

    static Map<String, Object> internalCredentials() {
        return Map.of("eventbank.security.internal.username", INTERNAL_USERNAME,
                "eventbank.security.internal.password", INTERNAL_PASSWORD);
    }

    /** The {@code Authorization} the projection's internal API expects of this service. */
    static String internalBasic() {
        return "Basic " + Base64.getEncoder().encodeToString(
                (INTERNAL_USERNAME + ":" + INTERNAL_PASSWORD).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Answers 401 (as the projection does) unless the exchange carries the internal credentials; true when it
     * answered, so the caller stops.
     */
    static boolean refusedWithoutCredentials(com.sun.net.httpserver.HttpExchange exchange) throws java.io.IOException {
        if (internalBasic().equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            return false;
        }
        exchange.sendResponseHeaders(401, -1);
        exchange.close();
        return true;
    }
}
