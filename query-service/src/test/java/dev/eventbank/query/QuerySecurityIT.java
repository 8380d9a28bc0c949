package dev.eventbank.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.common.AccountStatus;
import dev.eventbank.schemas.common.AccountType;
import dev.eventbank.schemas.events.AccountOpened;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.readmodel.BankTotals;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import dev.eventbank.support.testing.ForgedTokens;
import dev.eventbank.support.testing.ServiceUnderTest;
import dev.eventbank.testbroker.TestBroker;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who reads what on the query service (a real one: its view fed through the test broker's
 * {@code bank-account-state}): every endpoint against every kind of caller as a matrix of expected statuses; a
 * customer cannot read another's account, history, time travel or listing entry by any route, and gets exactly the
 * answer of an account that does not exist; forged tokens are refused with a 401 that says why.
 *
 * <p>The projection's internal API is a stand-in here (services share no code, and the projection's own
 * security is ProjectionSecurityIT's): it answers in the internal representation for the accounts of this test,
 * only to the internal credentials, and records the requests, so that a test can show a customer's request for
 * another's account never reached it.
 */
class QuerySecurityIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String REGISTRY_URL = ServiceUnderTest.sharedRegistryUrl();
    private static final Duration MIN_VERSION_WAIT = Duration.ofSeconds(1);

    private static final String OWNER = "customer-a-" + UUID.randomUUID();
    private static final String OTHER = "customer-b-" + UUID.randomUUID();
    /** OWNER's accounts, OTHER's account and an account opened before owners were recorded. */
    private static final String A = UUID.randomUUID().toString();
    private static final String A2 = UUID.randomUUID().toString();
    private static final String B = UUID.randomUUID().toString();
    private static final String NO_OWNER = UUID.randomUUID().toString();

    private static final Map<String, AccountState> STATES = new ConcurrentHashMap<>();
    private static final List<String> PROJECTION_REQUESTS = new CopyOnWriteArrayList<>();
    /** The callers of the matrix: a name and the Authorization header it sends (empty = none). */
    private static final Map<String, String> CALLERS = new LinkedHashMap<>();

    private static com.sun.net.httpserver.HttpServer projection;
    private static ServiceUnderTest service;

    @BeforeAll
    static void startService() throws Exception {
        projection = stubProjection(SchemaRegistryClients.forUrl(REGISTRY_URL));
        service = ServiceUnderTest.start("query-security-it", TestSecurity.secured(Map.of(
                "eventbank.query.min-version-timeout", MIN_VERSION_WAIT.toMillis() + "ms",
                "eventbank.query.projection-url", "http://localhost:" + projection.getAddress().getPort())))
                .awaitHealthy(Duration.ofSeconds(60));
        String bootstrapServers = TestBroker.shared().bootstrapServers();
        try (KafkaProducer<String, AccountState> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), AvroSerdes.value(AccountState.class, SchemaRegistryClients.forUrl(REGISTRY_URL)).serializer())) {
            for (AccountState state : List.of(state(A, OWNER), state(A2, OWNER), state(B, OTHER), state(NO_OWNER, null))) {
                STATES.put(state.getAccountId(), state);
                producer.send(new ProducerRecord<>(Topics.STATE.name(), state.getAccountId(), state)).get(10, TimeUnit.SECONDS);
            }
        }
        for (String id : STATES.keySet()) {
            HttpResponse<String> visible = send("/accounts/" + id + "?minVersion=2&maxWait=1000", TestSecurity.TELLER);
            for (int attempt = 0; attempt < 30 && visible.statusCode() != 200; attempt++) {
                visible = send("/accounts/" + id + "?minVersion=2&maxWait=1000", TestSecurity.TELLER);
            }
            assertEquals(200, visible.statusCode(), visible.body());
        }
        CALLERS.put("none", "");
        CALLERS.put("customer-owner", ServiceUnderTest.bearer("customer", OWNER));
        CALLERS.put("other-customer", ServiceUnderTest.bearer("customer", OTHER));
        CALLERS.put("teller", TestSecurity.TELLER);
        CALLERS.put("auditor", ServiceUnderTest.bearer("auditor", "it-auditor"));
        CALLERS.put("operator", ServiceUnderTest.bearer("operator", "it-operator"));
    }

    @AfterAll
    static void stopService() {
        if (service != null) {
            service.close();
        }
        if (projection != null) {
            projection.stop(0);
        }
    }

    @Test
    void shouldAnswerEachCallerOfEachEndpointWithItsStatus() throws Exception {
        // given: path -> expected status per caller: none, owner, other customer, teller, auditor, operator
        int[] ownAccount = {401, 200, 404, 200, 200, 403};
        Map<String, int[]> matrix = new LinkedHashMap<>();
        matrix.put("/accounts/" + A, ownAccount);
        matrix.put("/accounts/" + A.toUpperCase(Locale.ROOT), ownAccount);
        matrix.put("/accounts/" + A + "?minVersion=2", ownAccount);
        matrix.put("/accounts/" + A + "/events", ownAccount);
        matrix.put("/accounts/" + A + "/events?fromVersion=1&limit=10", ownAccount);
        matrix.put("/accounts/" + A + "?asOfVersion=1", ownAccount);
        matrix.put("/accounts/" + A + "?asOf=2025-01-01T10:00:01Z", ownAccount);
        // an account opened before owners were recorded is no customer's
        matrix.put("/accounts/" + NO_OWNER, new int[]{401, 404, 404, 200, 200, 403});
        matrix.put("/accounts/" + NO_OWNER + "/events", new int[]{401, 404, 404, 200, 200, 403});
        matrix.put("/accounts?limit=5", new int[]{401, 200, 200, 200, 200, 403});
        matrix.put("/accounts?owner=Ada%20Lovelace&status=OPEN", new int[]{401, 200, 200, 200, 200, 403});
        matrix.put("/bank/totals", new int[]{401, 403, 403, 200, 200, 403});
        matrix.put("/projection/lag", new int[]{401, 403, 403, 200, 200, 200});
        for (String open : List.of("/health", "/health/readiness", "/prometheus", "/browser/", "/swagger/query-service-1.0.yml")) {
            matrix.put(open, new int[]{200, 200, 200, 200, 200, 200});
        }
        // an unknown route is a 404 for everyone, not a 401/403 that would say "it exists"
        matrix.put("/nothing-here", new int[]{404, 404, 404, 404, 404, 404});

        // when / then
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, int[]> row : matrix.entrySet()) {
            int column = 0;
            for (Map.Entry<String, String> caller : CALLERS.entrySet()) {
                int expected = row.getValue()[column++];
                HttpResponse<String> answer = send(row.getKey(), caller.getValue());
                if (answer.statusCode() != expected) {
                    wrong.add("GET " + row.getKey() + " as " + caller.getKey() + ": expected " + expected + ", got "
                            + answer.statusCode() + " " + answer.body());
                } else if (expected >= 400) {
                    assertTrue(answer.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
                            row.getKey() + " " + answer.headers());
                    // refusals carry the correlation id like every other answer
                    assertTrue(answer.headers().firstValue("X-Correlation-Id").isPresent(), row.getKey() + " " + answer.headers());
                    assertEquals(expected == 401 ? "/problems/unauthorized" : expected == 403 ? "/problems/forbidden"
                            : row.getKey().startsWith("/accounts/") ? "/problems/account-not-found" : "/problems/not-found",
                            JSON.readTree(answer.body()).path("type").asText(), answer.body());
                }
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    @Test
    void shouldAnswerAnotherCustomersAccountExactlyAsOneThatDoesNotExist() throws Exception {
        // given: each route, for B (OTHER's) as OWNER, and for an unknown account as a teller
        String unknown = UUID.randomUUID().toString();
        String customer = CALLERS.get("customer-owner");
        int projectionRequestsForB = requestsFor(B);
        for (String route : List.of("/accounts/%s", "/accounts/%s?minVersion=2", "/accounts/%s/events",
                "/accounts/%s/events?fromVersion=2&limit=1", "/accounts/%s?asOfVersion=1",
                "/accounts/%s?asOf=2025-01-01T10:00:01Z")) {
            // when
            long start = System.nanoTime();
            HttpResponse<String> others = send(route.formatted(B), customer);
            long othersMs = (System.nanoTime() - start) / 1_000_000;
            HttpResponse<String> missing = send(route.formatted(unknown), TestSecurity.TELLER);

            // then: the same problem, word for word but the id; a minVersion waits as long for both
            assertEquals(404, others.statusCode(), route + " " + others.body());
            assertEquals(404, missing.statusCode(), route + " " + missing.body());
            assertEquals(problem(missing, unknown), problem(others, B), route);
            if (route.contains("minVersion")) {
                assertTrue(othersMs >= MIN_VERSION_WAIT.toMillis() - 50, route + " answered after " + othersMs + " ms");
            }
        }
        // then: none of these reads of B reached the projection
        assertEquals(projectionRequestsForB, requestsFor(B), PROJECTION_REQUESTS.toString());
    }

    @Test
    void shouldListOnlyTheCustomersOwnAccountsWhateverTheFilters() throws Exception {
        // when
        List<String> all = listing("/accounts?limit=500", CALLERS.get("customer-owner"));
        List<String> filtered = listing("/accounts?limit=500&owner=ada%20lovelace&status=OPEN&accountType=CHECKING",
                CALLERS.get("customer-owner"));
        List<String> others = listing("/accounts?limit=500", CALLERS.get("other-customer"));
        JsonNode firstPage = JSON.readTree(send("/accounts?limit=1", CALLERS.get("customer-owner")).body());
        JsonNode secondPage = JSON.readTree(send("/accounts?limit=1&after=" + firstPage.path("next").asText(),
                CALLERS.get("customer-owner")).body());
        // a cursor at another's account still lists only the customer's own accounts after it
        List<String> afterB = listing("/accounts?limit=500&after=" + B, CALLERS.get("customer-owner"));

        // then
        List<String> own = A.compareTo(A2) < 0 ? List.of(A, A2) : List.of(A2, A);
        assertEquals(own, all);
        assertEquals(own, filtered);
        assertEquals(List.of(B), others);
        assertEquals(own.get(0), firstPage.path("items").get(0).path("accountId").asText());
        assertEquals(own.get(1), secondPage.path("items").get(0).path("accountId").asText());
        assertTrue(secondPage.path("next").isNull(), secondPage.toString());
        assertEquals(own.stream().filter(id -> id.compareTo(B) > 0).toList(), afterB);
    }

    @Test
    void shouldShowTheOwnerIdToEveryReader() throws Exception {
        // when
        JsonNode ownersView = JSON.readTree(send("/accounts/" + A, CALLERS.get("customer-owner")).body());
        JsonNode tellersView = JSON.readTree(send("/accounts/" + A, TestSecurity.TELLER).body());
        JsonNode timeTravel = JSON.readTree(send("/accounts/" + A + "?asOfVersion=1", CALLERS.get("customer-owner")).body());
        JsonNode ownerless = JSON.readTree(send("/accounts/" + NO_OWNER, CALLERS.get("auditor")).body());
        JsonNode opening = JSON.readTree(send("/accounts/" + A + "/events", CALLERS.get("customer-owner")).body());

        // then
        assertEquals(OWNER, ownersView.path("ownerId").asText());
        assertEquals(OWNER, tellersView.path("ownerId").asText());
        assertEquals(OWNER, timeTravel.path("ownerId").asText());
        assertTrue(ownerless.has("ownerId") && ownerless.get("ownerId").isNull(), ownerless.toString());
        assertEquals(OWNER, opening.path("items").get(0).path("payload").path("ownerId").asText());
    }

    @Test
    void shouldRefuseForgedTokensWithA401ThatSaysWhy() throws Exception {
        // given: tokens for a teller, each wrong in one way, and the internal API's credentials, which are no way in
        Map<String, String> forged = new LinkedHashMap<>(ForgedTokens.forRole("teller", "it-teller"));
        forged.put("must use the Bearer scheme", "Basic " + Base64.getEncoder().encodeToString(
                (TestSecurity.INTERNAL_USERNAME + ":" + TestSecurity.INTERNAL_PASSWORD).getBytes(StandardCharsets.UTF_8)));

        for (Map.Entry<String, String> token : forged.entrySet()) {
            String authorization = token.getValue();
            for (String path : List.of("/accounts/" + A, "/accounts/" + A + "/events", "/bank/totals")) {
                // when
                HttpResponse<String> answer = send(path, authorization);

                // then
                assertEquals(401, answer.statusCode(), token.getKey() + " " + path + ": " + answer.body());
                assertTrue(answer.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
                JsonNode problem = JSON.readTree(answer.body());
                assertEquals("/problems/unauthorized", problem.path("type").asText());
                assertTrue(problem.path("detail").asText().contains(token.getKey()), token.getKey() + ": " + answer.body());
                assertTrue(answer.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
            }
        }
    }

    /** The problem document without what differs between two requests: the id becomes {@code <id>}. */
    private static JsonNode problem(HttpResponse<String> answer, String id) throws Exception {
        ObjectNode problem = (ObjectNode) JSON.readTree(answer.body().replace(id, "<id>"));
        problem.remove("instance");
        return problem;
    }

    private static int requestsFor(String id) {
        return (int) PROJECTION_REQUESTS.stream().filter(uri -> uri.contains(id)).count();
    }

    private static List<String> listing(String path, String authorization) throws Exception {
        HttpResponse<String> answer = send(path, authorization);
        assertEquals(200, answer.statusCode(), answer.body());
        List<String> ids = new ArrayList<>();
        JSON.readTree(answer.body()).path("items").forEach(item -> ids.add(item.path("accountId").asText()));
        return ids;
    }

    private static AccountState state(String id, String ownerId) {
        Instant opened = Instant.parse("2025-01-01T10:00:00Z");
        return AccountState.newBuilder().setAccountId(id).setAccountNumber("NL00EVBK" + id.substring(0, 8))
                .setOwner("Ada Lovelace").setCurrency("EUR").setBalance(new BigDecimal("105.0000"))
                .setStatus(AccountStatus.OPEN).setVersion(2).setOpenedAt(opened).setUpdatedAt(opened.plusSeconds(2))
                .setAccountType(AccountType.CHECKING).setOwnerId(ownerId).build();
    }

    /**
     * The projection's internal API for the accounts of {@link #STATES}, as it answers them: history (the opening),
     * time travel (the stored state) and totals; only with the internal credentials; unknown accounts as unknown.
     */
    private static com.sun.net.httpserver.HttpServer stubProjection(SchemaRegistryClient registry) throws Exception {
        var events = AvroSerdes.value(BankAccountEvent.class, registry).serializer();
        var states = AvroSerdes.value(AccountState.class, registry).serializer();
        var totals = AvroSerdes.value(BankTotals.class, registry).serializer();
        Base64.Encoder base64 = Base64.getEncoder();
        com.sun.net.httpserver.HttpServer stub = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        stub.createContext("/metrics", exchange -> answer(exchange,
                "{\"measurements\":[{\"statistic\":\"VALUE\",\"value\":0.0}]}"));
        stub.createContext("/internal/v1", exchange -> {
            if (TestSecurity.refusedWithoutCredentials(exchange)) {
                return;
            }
            String uri = exchange.getRequestURI().toString();
            PROJECTION_REQUESTS.add(uri);
            String id = uri.startsWith("/internal/v1/accounts/") ? uri.split("[/?]")[4] : null;
            AccountState state = id == null ? null : STATES.get(id);
            String body;
            if (uri.startsWith("/internal/v1/bank/totals")) {
                body = "{\"totals\":\"" + base64.encodeToString(totals.serialize("bank-totals",
                        new BankTotals(Map.of(), Map.of(), 0L, Instant.EPOCH))) + "\"}";
            } else if (uri.contains("/events")) {
                body = state == null ? "{\"accountExists\":false,\"events\":[],\"next\":null}"
                        : "{\"accountExists\":true,\"events\":[\"" + base64.encodeToString(events.serialize(
                                Topics.EVENTS.name(), opening(state))) + "\"],\"next\":null}";
            } else {
                body = state == null ? "{\"outcome\":\"UNKNOWN_ACCOUNT\",\"state\":null,\"currentVersion\":null,\"openedAt\":null}"
                        : "{\"outcome\":\"FOUND\",\"state\":\"" + base64.encodeToString(states.serialize(Topics.STATE.name(), state))
                                + "\",\"currentVersion\":null,\"openedAt\":null}";
            }
            answer(exchange, body);
        });
        stub.start();
        return stub;
    }

    private static BankAccountEvent opening(AccountState state) {
        return BankAccountEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setAggregateId(state.getAccountId())
                .setAggregateType("BankAccount").setVersion(1).setEventType("AccountOpened")
                .setOccurredAt(state.getOpenedAt()).setCommandId(UUID.randomUUID().toString())
                .setCorrelationId(UUID.randomUUID().toString())
                .setPayload(AccountOpened.newBuilder().setAccountNumber(state.getAccountNumber()).setOwner(state.getOwner())
                        .setCurrency("EUR").setInitialDeposit(new BigDecimal("100.0000"))
                        .setAccountType(AccountType.CHECKING).setOwnerId(state.getOwnerId()).build())
                .build();
    }

    private static void answer(com.sun.net.httpserver.HttpExchange exchange, String body) throws java.io.IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Test
    void shouldLetACustomerReadTheHistoryOfAnAccountOpenedAMomentAgoWithMinVersion() throws Exception {
        // given: the customer's new account, which the view shows some 100 ms after the reads are sent (as right after
        // the open's 201, before the query service has seen the account)
        // (an owner of its own: the listing tests count OWNER's accounts)
        String fresh = UUID.randomUUID().toString();
        String newcomer = "customer-" + fresh;
        String owner = ServiceUnderTest.bearer("customer", newcomer);
        CompletableFuture<HttpResponse<String>> history = CompletableFuture.supplyAsync(() -> sendQuietly(
                "/accounts/" + fresh + "/events?minVersion=2", owner));
        CompletableFuture<HttpResponse<String>> asItWas = CompletableFuture.supplyAsync(() -> sendQuietly(
                "/accounts/" + fresh + "?asOfVersion=2", owner));
        Thread.sleep(100);

        // when
        AccountState state = state(fresh, newcomer);
        STATES.put(fresh, state);
        try (KafkaProducer<String, AccountState> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestBroker.shared().bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), AvroSerdes.value(AccountState.class, SchemaRegistryClients.forUrl(REGISTRY_URL)).serializer())) {
            producer.send(new ProducerRecord<>(Topics.STATE.name(), fresh, state)).get(10, TimeUnit.SECONDS);
        }

        // then: both waited for the account to be the customer's, instead of a 404 at once
        HttpResponse<String> page = history.get(30, TimeUnit.SECONDS);
        HttpResponse<String> past = asItWas.get(30, TimeUnit.SECONDS);
        assertEquals(200, page.statusCode(), page.body());
        assertEquals(200, past.statusCode(), past.body());
    }

    private static HttpResponse<String> sendQuietly(String path, String authorization) {
        try {
            return send(path, authorization);
        } catch (Exception e) {
            throw new java.util.concurrent.CompletionException(e);
        }
    }

    @Test
    void shouldRefuseAReadWithTwoAuthorizationHeadersWhicheverComesFirst() throws Exception {
        // given: a teller's token and a customer's, in both orders (the security filter reads the first only)
        String customer = ServiceUnderTest.bearer("customer", OWNER);
        for (List<String> order : List.of(List.of(TestSecurity.TELLER, customer), List.of(customer, TestSecurity.TELLER))) {
            // when
            HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(service.url("/bank/totals")))
                    .timeout(Duration.ofSeconds(30)).header("Authorization", order.get(0))
                    .header("Authorization", order.get(1)).GET().build(), HttpResponse.BodyHandlers.ofString());

            // then
            assertEquals(400, answer.statusCode(), answer.body());
            JsonNode problem = JSON.readTree(answer.body());
            assertEquals("/problems/invalid-request", problem.path("type").asText(), answer.body());
            assertTrue(problem.path("detail").asText().contains("Authorization must be given once, got it on 2 lines"),
                    answer.body());
        }
    }

    private static HttpResponse<String> send(String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.url(path))).timeout(Duration.ofSeconds(30)).GET();
        if (!authorization.isEmpty()) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
