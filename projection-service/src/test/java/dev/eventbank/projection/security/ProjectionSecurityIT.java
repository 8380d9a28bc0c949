package dev.eventbank.projection.security;

import dev.eventbank.support.testing.Events;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbank.support.testing.Events;
import dev.eventbank.projection.InternalApi;
import dev.eventbank.projection.TestSecurity;
import dev.eventbank.projection.TestTopics;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import dev.eventbank.support.testing.ForgedTokens;
import dev.eventbank.support.testing.ServiceUnderTest;
import dev.eventbank.testbroker.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who may call what on the projection service (a real one, on the test broker): every endpoint against every kind
 * of caller, as a matrix of expected statuses; tokens forged each way; and a projection without an internal
 * password, which refuses every internal read.
 *
 * <p>The internal API ({@code /internal/v1}) answers only the query service's HTTP Basic credentials: no
 * credentials or wrong ones are 401, a user's bearer token (whatever its roles, even one claiming the internal
 * role {@code service}) 403, so that no customer can read another's history by calling port 8084 directly. The
 * rebuild API answers operators only. Health and Prometheus are open.
 */
class ProjectionSecurityIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static final String OWNER = "customer-owner";
    private static final String ACCOUNT = UUID.randomUUID().toString();

    private static ServiceUnderTest service;

    /** The callers of the matrix: a name and the Authorization header it sends (empty = none). */
    private static final Map<String, String> CALLERS = new LinkedHashMap<>();

    @BeforeAll
    static void startService() throws Exception {
        service = ServiceUnderTest.start("projection-security-it", TestSecurity.internalCredentials())
                .awaitHealthy(TIMEOUT);
        TestTopics.produceEvents(TestBroker.shared().bootstrapServers(),
                SchemaRegistryClients.forUrl(ServiceUnderTest.sharedRegistryUrl()),
                List.of(Events.openedFor(ACCOUNT, "100.00", OWNER), Events.deposited(ACCOUNT, 2, "5.00", "105.00")));
        CALLERS.put("none", "");
        CALLERS.put("customer-owner", ServiceUnderTest.bearer("customer", OWNER));
        CALLERS.put("other-customer", ServiceUnderTest.bearer("customer", "customer-other"));
        CALLERS.put("teller", ServiceUnderTest.bearer("teller", "it-teller"));
        CALLERS.put("auditor", ServiceUnderTest.bearer("auditor", "it-auditor"));
        CALLERS.put("operator", ServiceUnderTest.bearer("operator", "it-operator"));
        CALLERS.put("token-claiming-service", ServiceUnderTest.bearer(InternalCredentials.ROLE, "not-the-query-service"));
        CALLERS.put("internal", TestSecurity.internalBasic());
        CALLERS.put("internal-wrong-password", TestSecurity.basic(TestSecurity.INTERNAL_USERNAME, "guess"));
        CALLERS.put("internal-wrong-user", TestSecurity.basic("someone", TestSecurity.INTERNAL_PASSWORD));
        awaitProjected();
    }

    @AfterAll
    static void stopService() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void shouldAnswerEachCallerOfEachEndpointWithItsStatus() throws Exception {
        // given: endpoint -> expected status per caller, in the order of CALLERS:
        //   none, owner, other customer, teller, auditor, operator, token claiming 'service', internal, wrong pw, wrong user
        String events = InternalApi.V1 + "/accounts/" + ACCOUNT + "/events";
        String state = InternalApi.V1 + "/accounts/" + ACCOUNT + "/state?asOfVersion=1";
        String asOf = InternalApi.V1 + "/accounts/" + ACCOUNT + "/state?asOf=" + Instant.now();
        String unknown = InternalApi.V1 + "/accounts/" + UUID.randomUUID() + "/events";
        String totals = InternalApi.V1 + "/bank/totals";
        Map<String, int[]> matrix = new LinkedHashMap<>();
        for (String internal : List.of("GET " + events, "GET " + state, "GET " + asOf, "GET " + unknown, "GET " + totals)) {
            matrix.put(internal, new int[]{401, 403, 403, 403, 403, 403, 403, 200, 401, 401});
        }
        matrix.put("GET /admin/rebuild", new int[]{401, 403, 403, 403, 403, 200, 403, 403, 401, 401});
        // an operator passes the check and gets the rebuild API's own answer (nothing is started: a bad parameter)
        matrix.put("POST /admin/rebuild?autoSwitch=maybe", new int[]{401, 403, 403, 403, 403, 400, 403, 403, 401, 401});
        matrix.put("POST /admin/rebuild/switch", new int[]{401, 403, 403, 403, 403, 409, 403, 403, 401, 401});
        matrix.put("DELETE /admin/rebuild", new int[]{401, 403, 403, 403, 403, 409, 403, 403, 401, 401});
        for (String open : List.of("GET /health", "GET /health/readiness", "GET /health/liveness", "GET /prometheus")) {
            // open: a caller's credentials, right or wrong, are not asked for (wrong Basic ones are still refused)
            matrix.put(open, new int[]{200, 200, 200, 200, 200, 200, 200, 200, -1, -1});
        }
        // an unknown route is a 404 for everyone (not a 401/403 that would say "it exists"), except under /internal/
        matrix.put("GET /nothing-here", new int[]{404, 404, 404, 404, 404, 404, 404, 404, -1, -1});
        matrix.put("GET " + InternalApi.V1 + "/nothing-here", new int[]{401, 403, 403, 403, 403, 403, 403, 404, 401, 401});

        // when / then
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, int[]> row : matrix.entrySet()) {
            String[] request = row.getKey().split(" ", 2);
            int column = 0;
            for (Map.Entry<String, String> caller : CALLERS.entrySet()) {
                int expected = row.getValue()[column++];
                HttpResponse<String> answer = send(request[0], request[1], caller.getValue());
                if (expected == -1) {
                    continue;
                }
                if (answer.statusCode() != expected) {
                    wrong.add(row.getKey() + " as " + caller.getKey() + ": expected " + expected + ", got "
                            + answer.statusCode() + " " + answer.body());
                } else if (expected == 401 || expected == 403) {
                    assertProblem(answer, expected);
                }
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    @Test
    void shouldRefuseATokenClaimingTheServiceRoleOnEverySpellingOfAnInternalPath() throws Exception {
        // the internal rule must hold for whatever path reaches the internal controller, not only for its plain text
        String tail = "/bank/totals";
        List<String> spellings = List.of("/" + InternalApi.V1 + tail, "/%69nternal/v1" + tail, "/internal/v1/." + tail,
                "/internal/x/../v1" + tail, "/INTERNAL/v1" + tail, "/internal//v1" + tail, "/internal/v1" + tail + "/",
                "/internal/v1" + tail + ";x=1", "/internal/v1%2Fbank%2Ftotals");
        List<String> wrong = new ArrayList<>();
        for (String path : spellings) {
            HttpResponse<String> answer = send("GET", path, CALLERS.get("token-claiming-service"));
            if (answer.statusCode() == 200 || answer.statusCode() >= 500) {
                wrong.add(path + ": " + answer.statusCode() + " " + answer.body());
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    @Test
    void shouldTellTheInternalClientToUseItsBasicCredentialsWhenRefused() throws Exception {
        // when
        HttpResponse<String> none = send("GET", InternalApi.V1 + "/bank/totals", "");
        HttpResponse<String> wrong = send("GET", InternalApi.V1 + "/bank/totals",
                TestSecurity.basic(TestSecurity.INTERNAL_USERNAME, "guess"));
        HttpResponse<String> customer = send("GET", InternalApi.V1 + "/accounts/" + ACCOUNT + "/events",
                ServiceUnderTest.bearer("customer", OWNER));

        // then
        for (HttpResponse<String> refused : List.of(none, wrong)) {
            assertProblem(refused, 401);
            assertEquals("Basic realm=\"eventbank-internal\"", refused.headers().firstValue("WWW-Authenticate").orElse(null));
            assertTrue(detail(refused).contains("HTTP Basic credentials"), refused.body());
        }
        assertProblem(customer, 403);
        assertTrue(detail(customer).contains("(customer)"), customer.body());
    }

    @Test
    void shouldRefuseForgedTokensWithA401ThatSaysWhy() throws Exception {
        // given: tokens for an operator, each wrong in one way
        Map<String, String> forged = ForgedTokens.forRole("operator", "it-operator");

        for (Map.Entry<String, String> token : forged.entrySet()) {
            // when
            HttpResponse<String> answer = send("GET", "/admin/rebuild", token.getValue());

            // then
            assertProblem(answer, 401);
            assertTrue(detail(answer).contains(token.getKey()), token.getKey() + ": " + answer.body());
            assertTrue(answer.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"), answer.headers().toString());
        }
    }

    @Test
    void shouldRefuseEveryInternalReadWhenNoInternalPasswordIsConfigured() throws Exception {
        // given: a projection without eventbank.security.internal.password
        try (ServiceUnderTest closed = ServiceUnderTest.start("projection-no-password-it").awaitHealthy(TIMEOUT)) {
            for (String authorization : List.of("", TestSecurity.basic(TestSecurity.INTERNAL_USERNAME, ""),
                    TestSecurity.internalBasic())) {
                // when
                HttpResponse<String> answer = closed.get(InternalApi.V1 + "/bank/totals", Map.of("Authorization", authorization));

                // then
                assertProblem(answer, 401);
                assertTrue(detail(answer).contains("no eventbank.security.internal.password"), answer.body());
            }
        }
    }

    /** Waits until the account's events are projected (read with the internal credentials). */
    private static void awaitProjected() throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        String path = InternalApi.V1 + "/accounts/" + ACCOUNT + "/state?asOfVersion=2";
        HttpResponse<String> answer = send("GET", path, TestSecurity.internalBasic());
        while (!(answer.statusCode() == 200 && answer.body().contains("FOUND")) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            answer = send("GET", path, TestSecurity.internalBasic());
        }
        assertTrue(answer.body().contains("FOUND"), answer.statusCode() + " " + answer.body());
    }

    @Test
    void shouldRefuseWhatTheRebuildApiDoesNotTakeAndStartNothing() throws Exception {
        // given
        String operator = CALLERS.get("operator");
        String before = JSON.readTree(send("GET", "/admin/rebuild", operator).body()).path("state").asText();
        Map<String, String> refused = new LinkedHashMap<>();
        // a wrong spelling of autoSwitch=false would otherwise start a rebuild that switches by itself
        refused.put("POST /admin/rebuild?autoswitch=false", "unknown query parameter 'autoswitch'");
        refused.put("POST /admin/rebuild?autoSwitch=false&autoSwitch=true", "autoSwitch must be given at most once");
        refused.put("GET /admin/rebuild?foo=1", "unknown query parameter 'foo'");
        refused.put("POST /admin/rebuild/switch?foo=1", "unknown query parameter 'foo'");
        refused.put("DELETE /admin/rebuild?foo=1", "unknown query parameter 'foo'");

        // when / then
        for (Map.Entry<String, String> row : refused.entrySet()) {
            String[] request = row.getKey().split(" ", 2);
            HttpResponse<String> answer = send(request[0], request[1], operator);
            assertInvalidRequest(answer, row.getValue(), row.getKey());
        }
        for (String withBody : List.of("POST /admin/rebuild", "POST /admin/rebuild/switch", "DELETE /admin/rebuild")) {
            String[] request = withBody.split(" ", 2);
            HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(service.url(request[1])))
                    .timeout(Duration.ofSeconds(30)).header("Authorization", operator)
                    .header("Content-Type", "application/json")
                    .method(request[0], HttpRequest.BodyPublishers.ofString("{\"x\":1")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertInvalidRequest(answer, "takes no body", withBody + " with a body");
        }
        // and nothing was started
        assertEquals(before, JSON.readTree(send("GET", "/admin/rebuild", operator).body()).path("state").asText());
    }

    @Test
    void shouldRefuseARequestWithTwoAuthorizationHeadersWhicheverComesFirst() throws Exception {
        // given: the operator's token and a teller's, in both orders (the security filter reads the first only)
        String operator = CALLERS.get("operator");
        String teller = CALLERS.get("teller");
        for (List<String> order : List.of(List.of(operator, teller), List.of(teller, operator))) {
            // when
            HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(service.url("/admin/rebuild")))
                    .timeout(Duration.ofSeconds(30)).header("Authorization", order.get(0))
                    .header("Authorization", order.get(1)).GET().build(), HttpResponse.BodyHandlers.ofString());

            // then
            assertInvalidRequest(answer, "Authorization must be given once, got it on 2 lines", "two credentials");
        }
    }

    private static void assertInvalidRequest(HttpResponse<String> answer, String detail, String what) throws Exception {
        assertEquals(400, answer.statusCode(), what + ": " + answer.body());
        assertTrue(answer.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
                what + ": " + answer.headers());
        assertEquals("/problems/invalid-request", JSON.readTree(answer.body()).path("type").asText(), what);
        assertTrue(detail(answer).contains(detail), what + ": " + detail(answer));
    }

    private static HttpResponse<String> send(String method, String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.url(path))).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (!authorization.isEmpty()) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertProblem(HttpResponse<String> answer, int status) throws Exception {
        assertEquals(status, answer.statusCode(), answer.body());
        assertTrue(answer.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
                answer.headers().toString());
        JsonNode problem = JSON.readTree(answer.body());
        assertEquals(status == 401 ? "/problems/unauthorized" : "/problems/forbidden", problem.path("type").asText());
        assertEquals(status, problem.path("status").asInt());
        assertTrue(answer.headers().firstValue("X-Correlation-Id").isPresent(), answer.headers().toString());
    }

    private static String detail(HttpResponse<String> answer) throws Exception {
        return JSON.readTree(answer.body()).path("detail").asText();
    }
}
