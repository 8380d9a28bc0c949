package dev.eventbank.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.common.AccountStatus;
import dev.eventbank.schemas.common.AccountType;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import dev.eventbank.support.testing.ServiceUnderTest;
import dev.eventbank.testbroker.TestBroker;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The query service as deployed (Micronaut, Kafka Streams global store, a real broker), fed by producing
 * {@link AccountState}s to {@code bank-account-state} as the projection would, and read over HTTP.
 */
class QueryServiceIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String REGISTRY_URL = ServiceUnderTest.sharedRegistryUrl();

    private static EmbeddedServer server;
    private static KafkaProducer<String, AccountState> producer;
    private static ScheduledExecutorService scheduler;
    private static KafkaProducer<String, BankAccountEvent> eventProducer;
    private static com.sun.net.httpserver.HttpServer projection;
    private static final List<String> PROJECTION_REQUESTS = new java.util.concurrent.CopyOnWriteArrayList<>();

    private static final String APPLICATION_ID = "query-it-" + UUID.randomUUID();
    private static java.nio.file.Path stateDir;

    @BeforeAll
    static void startService() throws Exception {
        String bootstrapServers = TestBroker.shared().bootstrapServers();
        // the event log exists before the service starts, so that its fresh fold reads it from the start
        createEventsTopic(bootstrapServers);
        projection = stubProjection();
        stateDir = ServiceUnderTest.stateDir("query-it");
        server = ApplicationContext.run(EmbeddedServer.class, TestSecurity.secured(Map.ofEntries(
                Map.entry("micronaut.server.port", -1),
                Map.entry("kafka.bootstrap.servers", bootstrapServers),
                Map.entry("schema-registry.url", REGISTRY_URL),
                Map.entry("eventbank.streams.application-id", APPLICATION_ID),
                Map.entry("eventbank.streams.state-dir", stateDir.toString()),
                // what the configuration may not change: the view reads committed states only (see the test below)
                Map.entry("kafka.streams.default.processing.guarantee", "at_least_once"),
                Map.entry("kafka.streams.default.global.consumer.isolation.level", "read_uncommitted"),
                Map.entry("eventbank.topics.partitions", 3),
                Map.entry("eventbank.query.min-version-timeout", "3s"),
                Map.entry("eventbank.query.max-waiting-reads-per-caller", 2),
                Map.entry("eventbank.query.projection-url", "http://localhost:" + projection.getAddress().getPort()))));
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(),
                AvroSerdes.value(AccountState.class, SchemaRegistryClients.forUrl(REGISTRY_URL)).serializer());
        eventProducer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(),
                AvroSerdes.value(BankAccountEvent.class, SchemaRegistryClients.forUrl(REGISTRY_URL)).serializer());
        scheduler = Executors.newSingleThreadScheduledExecutor();
        awaitHealthy();
    }

    @AfterAll
    static void stopService() {
        if (producer != null) {
            producer.close();
        }
        if (eventProducer != null) {
            eventProducer.close();
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (server != null) {
            server.getApplicationContext().close();
        }
        if (projection != null) {
            projection.stop(0);
        }
    }

    @Test
    void shouldAnswerTheAccountWithAnETagWhenItIsInTheView() throws Exception {
        // given
        String id = UUID.randomUUID().toString();
        publish(state(id, 3, "120.0000", AccountStatus.OPEN));

        // when
        HttpResponse<String> response = get("/accounts/" + id + "?minVersion=3");

        // then
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("\"3\"", response.headers().firstValue("ETag").orElse(null));
        JsonNode account = JSON.readTree(response.body());
        assertEquals(id, account.path("accountId").asText());
        assertEquals("120.00", account.path("balance").asText());
        assertTrue(account.path("balance").isTextual());
        assertEquals("EUR", account.path("currency").asText());
        assertEquals("OPEN", account.path("status").asText());
        assertEquals(3, account.path("version").asLong());
        assertEquals("Ada Lovelace", account.path("owner").asText());
        assertEquals("NL00EVBK" + id.substring(0, 8), account.path("accountNumber").asText());
        assertEquals("2025-01-01T10:00:00Z", account.path("openedAt").asText());
        assertEquals("2025-01-01T10:00:03Z", account.path("updatedAt").asText());
    }

    @Test
    void shouldWaitForAVersionProducedAMomentLater() throws Exception {
        // given
        String id = UUID.randomUUID().toString();
        publish(state(id, 1, "100.0000", AccountStatus.OPEN));
        assertEquals(200, get("/accounts/" + id + "?minVersion=1").statusCode());

        // when
        long start = System.nanoTime();
        CompletableFuture<HttpResponse<String>> response = HTTP.sendAsync(request("/accounts/" + id + "?minVersion=2"),
                HttpResponse.BodyHandlers.ofString());
        scheduler.schedule(() -> publish(state(id, 2, "150.2500", AccountStatus.OPEN)), 300, TimeUnit.MILLISECONDS);

        // then
        HttpResponse<String> answered = response.get(10, TimeUnit.SECONDS);
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(200, answered.statusCode(), answered.body());
        assertEquals(2, JSON.readTree(answered.body()).path("version").asLong());
        assertEquals("150.25", JSON.readTree(answered.body()).path("balance").asText());
        assertTrue(elapsedMs >= 300 && elapsedMs < 3000, "answered after " + elapsedMs + " ms");
    }

    @Test
    void shouldAnswer429ToACallerWithTooManyWaitingReadsAndStillServeTheOthers() throws Exception {
        // given: an account in the view, and a caller (its own subject) already holding its 2 waiting reads
        String id = UUID.randomUUID().toString();
        publish(state(id, 1, "100.0000", AccountStatus.OPEN));
        assertEquals(200, get("/accounts/" + id + "?minVersion=1").statusCode());
        String greedy = ServiceUnderTest.bearer("teller", "it-greedy-teller");
        List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            waiting.add(HTTP.sendAsync(HttpRequest.newBuilder(uri("/accounts/" + id + "?minVersion=9&maxWait=1500"))
                    .header("Authorization", greedy).GET().build(), HttpResponse.BodyHandlers.ofString()));
        }
        Thread.sleep(300);

        // when
        HttpResponse<String> third = get("/accounts/" + id + "?minVersion=1", Map.of("Authorization", greedy));
        HttpResponse<String> plainRead = get("/accounts/" + id, Map.of("Authorization", greedy));
        HttpResponse<String> another = get("/accounts/" + id + "?minVersion=1");
        List<Integer> firstTwo = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> read : waiting) {
            firstTwo.add(read.get(10, TimeUnit.SECONDS).statusCode());
        }
        HttpResponse<String> afterwards = get("/accounts/" + id + "?minVersion=1", Map.of("Authorization", greedy));

        // then: only that caller's third minVersion read is refused, and its slots come back once they are answered
        assertProblem(third, 429);
        assertEquals("/problems/too-many-requests", JSON.readTree(third.body()).path("type").asText());
        assertEquals("1", third.headers().firstValue("Retry-After").orElse(null));
        assertEquals(200, plainRead.statusCode(), plainRead.body());
        assertEquals(200, another.statusCode(), another.body());
        assertEquals(List.of(503, 503), firstTwo);
        assertEquals(200, afterwards.statusCode(), afterwards.body());
    }

    @Test
    void shouldAnswer503WithRetryAfterWhenTheVersionNeverArrives() throws Exception {
        // given
        String id = UUID.randomUUID().toString();
        publish(state(id, 1, "100.0000", AccountStatus.OPEN));
        assertEquals(200, get("/accounts/" + id + "?minVersion=1").statusCode());

        // when
        long start = System.nanoTime();
        HttpResponse<String> response = get("/accounts/" + id + "?minVersion=5&maxWait=400");

        // then
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(503, response.statusCode(), response.body());
        assertEquals("1", response.headers().firstValue("Retry-After").orElse(null));
        assertProblem(response, 503);
        assertEquals(1, JSON.readTree(response.body()).path("currentVersion").asLong(), response.body());
        assertTrue(elapsedMs >= 400, "answered after " + elapsedMs + " ms");
    }

    @Test
    void shouldAnswer404ProblemsForUnknownAndMalformedIds() throws Exception {
        // when
        HttpResponse<String> unknown = get("/accounts/" + UUID.randomUUID());
        HttpResponse<String> unknownAfterWaiting = get("/accounts/" + UUID.randomUUID() + "?minVersion=1&maxWait=200");
        HttpResponse<String> malformed = get("/accounts/not-a-uuid");

        // then
        for (HttpResponse<String> response : List.of(unknown, unknownAfterWaiting, malformed)) {
            assertEquals(404, response.statusCode(), response.body());
            assertProblem(response, 404);
        }
    }

    @Test
    void shouldNegotiateAcceptByRfc9110AnsweringPlainJson() throws Exception {
        // wildcards, weights and case: answered, with exactly application/json (Micronaut alone answered
        // application/* with 406 and echoed "application/json;q=0.9" as the Content-Type)
        // (and a weight out of range, which makes the header invalid: disregarded, where Micronaut echoed
        // "application/json;q=2")
        for (String accept : List.of("application/*", "application/json;q=0.9", "APPLICATION/JSON",
                "text/html;q=0.5, application/*", "application/json;q=2", "application/json;q=1.0001")) {
            HttpResponse<String> listing = get("/accounts?limit=1", Map.of("Accept", accept));
            assertEquals(200, listing.statusCode(), accept + ": " + listing.body());
            assertEquals("application/json", listing.headers().firstValue("Content-Type").orElse(""), accept);
        }
        // q=0 is "not acceptable" (RFC 9110 section 12.4.2): nothing else offered, 406
        for (String accept : List.of("*/*;q=0", "application/json;q=0", "*/*, application/json;q=0", "text/html")) {
            HttpResponse<String> refused = get("/accounts?limit=1", Map.of("Accept", accept));
            assertEquals(406, refused.statusCode(), accept + ": " + refused.body());
            assertProblem(refused, 406);
            assertEquals("/problems/not-acceptable", JSON.readTree(refused.body()).path("type").asText(), accept);
        }
    }

    @Test
    void shouldAnswer400ProblemsForBadParameters() throws Exception {
        // given
        String id = UUID.randomUUID().toString();

        // when
        List<HttpResponse<String>> responses = new ArrayList<>();
        for (String path : List.of("/accounts/" + id + "?minVersion=0", "/accounts/" + id + "?minVersion=abc",
                "/accounts/" + id + "?minVersion=-3", "/accounts/" + id + "?minVersion=1&maxWait=soon",
                "/accounts?limit=0", "/accounts?limit=501", "/accounts?limit=ten", "/accounts?status=FROZEN",
                "/accounts?accountType=GOLD",
                // not spellings of a symbol or a number: a letter upper-casing maps onto ASCII (U+017F, the long s,
                // onto S) and control characters around the value
                "/accounts?accountType=%C5%BFavings", "/accounts?status=open%00", "/accounts?status=%0BOPEN",
                "/accounts?limit=%001", "/accounts/" + id + "?minVersion=1%1F", "/accounts?owner=%09Ada%20Lovelace",
                "/accounts?owner=Ada%20Lovelace%0A", "/accounts?after=%09" + id,
                "/accounts/" + id + "?asOf=2030-01-01T00:00:00Z%00",
                // a cursor that is not an account id (e.g. an events page's numeric next); maxWait with nothing to wait for
                "/accounts?after=3", "/accounts?after=zzz", "/accounts?after=", "/accounts/" + id + "?maxWait=100",
                // parameters an endpoint does not take (typos, above all), on every endpoint
                "/accounts/" + id + "?asOfversion=1", "/accounts?stauts=OPEN", "/accounts/" + id + "/events?frmVersion=3",
                "/bank/totals?currency=EUR", "/projection/lag?x=1", "/accounts/" + id + "?minVersion=1&x")) {
            responses.add(get(path));
        }

        // then
        for (HttpResponse<String> response : responses) {
            assertEquals(400, response.statusCode(), response.uri() + " " + response.body());
            assertProblem(response, 400);
        }
    }

    @Test
    void shouldAnswer400NamingAParameterGivenMoreThanOnceOnEveryEndpoint() throws Exception {
        // given: an account in the view, so that a parameter read as its first or its joined value would answer 200
        String id = UUID.randomUUID().toString();
        AccountState owned = state(id, 1, "5.0000", AccountStatus.OPEN);
        owned.setOwner("Ada Lovelace");
        publish(owned);
        assertEquals(200, get("/accounts/" + id + "?minVersion=1").statusCode());

        // when / then: every parameter of every endpoint, twice with valid values (also the same value twice)
        Map<String, String> repeated = new java.util.LinkedHashMap<>();
        repeated.put("minVersion", "/accounts/" + id + "?minVersion=1&minVersion=1");
        repeated.put("maxWait", "/accounts/" + id + "?maxWait=10&maxWait=20");
        repeated.put("asOfVersion", "/accounts/" + id + "?asOfVersion=1&asOfVersion=1");
        repeated.put("asOf", "/accounts/" + id + "?asOf=2030-01-01T00:00:00Z&asOf=2031-01-01T00:00:00Z");
        repeated.put("fromVersion", "/accounts/" + id + "/events?fromVersion=1&fromVersion=2");
        repeated.put("limit", "/accounts/" + id + "/events?limit=1&limit=2");
        repeated.put("after", "/accounts?after=" + id + "&after=" + id);
        repeated.put("owner", "/accounts?owner=Ada%20Lovelace&owner=Grace%20Hopper");
        repeated.put("status", "/accounts?status=OPEN&status=CLOSED");
        repeated.put("accountType", "/accounts?accountType=CHECKING&accountType=CHECKING");
        for (Map.Entry<String, String> entry : repeated.entrySet()) {
            HttpResponse<String> response = get(entry.getValue());
            assertProblem(response, 400);
            assertTrue(JSON.readTree(response.body()).path("detail").asText()
                    .startsWith(entry.getKey() + " must be given at most once"), response.body());
        }
        assertEquals(400, get("/accounts?limit=1&limit=2").statusCode());
        // an unknown parameter is refused as such, repeated or not (it is most often a typo)
        HttpResponse<String> unknown = get("/accounts/" + id + "?x=1&x=2");
        assertProblem(unknown, 400);
        assertTrue(JSON.readTree(unknown.body()).path("detail").asText().startsWith("unknown query parameter 'x'"),
                unknown.body());
        // bytes that are not UTF-8 are refused, not searched for as replacement characters
        for (String path : List.of("/accounts?owner=%FF%FE", "/accounts/" + id + "/events?%FF=1")) {
            HttpResponse<String> notUtf8 = get(path);
            assertProblem(notUtf8, 400);
            assertTrue(JSON.readTree(notUtf8.body()).path("detail").asText().contains("is not valid UTF-8"), notUtf8.body());
        }
    }

    @Test
    void shouldRefuseAndCloseARequestWithATransferEncodingNotChunkedAnsweringNothingHiddenInItsBody() throws Exception {
        // given: a request whose Transfer-Encoding Netty does not know (it read no body), with a read in its body
        String id = UUID.randomUUID().toString();
        publish(state(id, 1, "100.0000", AccountStatus.OPEN));
        String hidden = "GET /accounts/" + id + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + TestSecurity.TELLER
                + "\r\n\r\n";
        String request = "POST /accounts HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: xchunked\r\n\r\n" + hidden;

        // when
        String answered;
        try (java.net.Socket socket = new java.net.Socket("localhost", server.getPort())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            answered = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }

        // then: one answer, the 400 problem, and the connection closed (it answered 405, then the account)
        assertTrue(answered.startsWith("HTTP/1.1 400 "), answered);
        assertEquals(1, answered.split("HTTP/1\\.1 ", -1).length - 1, answered);
        assertTrue(answered.toLowerCase(java.util.Locale.ROOT).contains("\r\nconnection: close\r\n"), answered);
        assertFalse(answered.contains(id), answered);
        JsonNode problem = JSON.readTree(answered.substring(answered.indexOf("\r\n\r\n") + 4));
        assertEquals("/problems/invalid-request", problem.path("type").asText(), answered);
        assertTrue(problem.path("detail").asText().startsWith("Transfer-Encoding must be chunked alone"), answered);
    }

    @Test
    void shouldRefuseACrossOriginReadWithAProblemDocument() throws Exception {
        // when: a page of another origin reads an account (Micronaut's CORS filter refuses it, no CORS configured)
        HttpResponse<String> crossOrigin = get("/accounts/" + UUID.randomUUID(), Map.of("Origin", "http://evil.example"));
        HttpResponse<String> sameHost = get("/accounts?limit=1", Map.of("Origin", "http://localhost:" + server.getPort()));

        // then: refused, with a body saying why; a page the API serves itself reads as before
        assertProblem(crossOrigin, 403);
        assertTrue(JSON.readTree(crossOrigin.body()).path("detail").asText().startsWith("cross-origin requests are refused"),
                crossOrigin.body());
        assertEquals(200, sameHost.statusCode(), sameHost.body());
    }

    @Test
    void shouldAnswerProblemsForUnknownRoutesAndMethods() throws Exception {
        // when
        HttpResponse<String> unknownRoute = get("/nothing-here");
        HttpResponse<String> wrongMethod = HTTP.send(HttpRequest.newBuilder(uri("/accounts")).header("Authorization", TestSecurity.TELLER)
                .DELETE().build(), HttpResponse.BodyHandlers.ofString());

        // then
        assertEquals(404, unknownRoute.statusCode(), unknownRoute.body());
        assertProblem(unknownRoute, 404);
        assertEquals("this service has no route GET /nothing-here",
                JSON.readTree(unknownRoute.body()).path("detail").asText(), unknownRoute.body());
        assertEquals(405, wrongMethod.statusCode(), wrongMethod.body());
        assertProblem(wrongMethod, 405);
    }

    @Test
    void shouldPageThroughAllAccountsInIdOrderAndFilterByStatus() throws Exception {
        // given
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String id = UUID.randomUUID().toString();
            ids.add(id);
            publish(state(id, 2, "1.0000", i == 0 ? AccountStatus.CLOSED : AccountStatus.OPEN));
        }
        for (String id : ids) {
            assertEquals(200, get("/accounts/" + id + "?minVersion=2").statusCode());
        }

        // when
        List<String> seen = new ArrayList<>();
        String next = null;
        int pages = 0;
        do {
            HttpResponse<String> response = get("/accounts?limit=2" + (next == null ? "" : "&after=" + next));
            assertEquals(200, response.statusCode(), response.body());
            JsonNode page = JSON.readTree(response.body());
            assertTrue(page.has("next") && page.path("items").isArray(), response.body());
            assertTrue(page.path("items").size() <= 2);
            page.path("items").forEach(item -> seen.add(item.path("accountId").asText()));
            next = page.path("next").isNull() ? null : page.path("next").asText();
            pages++;
        } while (next != null && pages < 100);
        JsonNode closed = JSON.readTree(get("/accounts?status=CLOSED&limit=500").body());

        // then
        assertTrue(seen.containsAll(ids), seen + " should contain " + ids);
        assertEquals(seen.stream().sorted().toList(), seen);
        assertEquals(seen.size(), seen.stream().distinct().count());
        List<String> closedIds = new ArrayList<>();
        closed.path("items").forEach(item -> closedIds.add(item.path("accountId").asText()));
        assertTrue(closedIds.contains(ids.get(0)));
        assertFalse(closedIds.contains(ids.get(1)));
    }

    @Test
    void shouldFilterTheListingByOwner() throws Exception {
        // given
        String id = UUID.randomUUID().toString();
        String owner = "Owner " + id;
        AccountState owned = state(id, 1, "5.0000", AccountStatus.OPEN);
        owned.setOwner(owner);
        publish(owned);
        publish(state(UUID.randomUUID().toString(), 1, "5.0000", AccountStatus.OPEN));
        assertEquals(200, get("/accounts/" + id + "?minVersion=1").statusCode());

        // when
        JsonNode page = JSON.readTree(get("/accounts?owner=" + java.net.URLEncoder.encode(owner.toUpperCase(),
                java.nio.charset.StandardCharsets.UTF_8) + "&status=OPEN").body());

        // then
        assertEquals(1, page.path("items").size(), page.toString());
        assertEquals(id, page.path("items").get(0).path("accountId").asText());
        assertProblem(get("/accounts?owner=%20"), 400);
        // spaces around a parameter are ignored, as for every other one
        assertEquals(page, JSON.readTree(get("/accounts?owner=%20" + java.net.URLEncoder.encode(owner,
                java.nio.charset.StandardCharsets.UTF_8) + "%20&status=OPEN").body()));
        assertEquals(200, get("/accounts?limit=1&after=%20" + id + "%20").statusCode());
        // and other white space the text rule strips from what it stores (U+3000, U+2003), as an opening does
        assertEquals(page, JSON.readTree(get("/accounts?owner=%E3%80%80" + java.net.URLEncoder.encode(owner,
                java.nio.charset.StandardCharsets.UTF_8) + "%E2%80%83&status=OPEN").body()));
    }

    @Test
    void shouldShowEmailAndAccountTypeInTheAccountAndTheListing() throws Exception {
        // given: a savings account with an e-mail address, and a state written before states carried either
        String owner = "Owner " + UUID.randomUUID();
        AccountState savings = state(UUID.randomUUID().toString(), 1, "10.0000", AccountStatus.OPEN);
        savings.setOwner(owner);
        savings.setEmail("grace@example.com");
        savings.setAccountType(AccountType.SAVINGS);
        publish(savings);
        AccountState older = state(UUID.randomUUID().toString(), 1, "10.0000", AccountStatus.OPEN);
        publish(older);
        assertEquals(200, get("/accounts/" + older.getAccountId() + "?minVersion=1").statusCode());

        // when
        JsonNode account = JSON.readTree(get("/accounts/" + savings.getAccountId() + "?minVersion=1").body());
        JsonNode listed = JSON.readTree(get("/accounts?owner=" + java.net.URLEncoder.encode(owner,
                java.nio.charset.StandardCharsets.UTF_8)).body()).path("items");
        JsonNode unknown = JSON.readTree(get("/accounts/" + older.getAccountId()).body());

        // then
        assertEquals("SAVINGS", account.path("accountType").asText(), account.toString());
        assertEquals("grace@example.com", account.path("email").asText(), account.toString());
        assertEquals(1, listed.size(), listed.toString());
        assertEquals("SAVINGS", listed.get(0).path("accountType").asText(), listed.toString());
        assertEquals("grace@example.com", listed.get(0).path("email").asText(), listed.toString());
        // unknown is null, present in the JSON (never guessed)
        assertTrue(unknown.has("accountType") && unknown.path("accountType").isNull(), unknown.toString());
        assertTrue(unknown.has("email") && unknown.path("email").isNull(), unknown.toString());
    }

    @Test
    void shouldFilterTheListingByAccountTypeAndRefuseAnUnknownType() throws Exception {
        // given: one owner's checking and savings accounts
        String owner = "Owner " + UUID.randomUUID();
        List<String> ids = new ArrayList<>();
        for (AccountType type : List.of(AccountType.CHECKING, AccountType.SAVINGS)) {
            AccountState state = state(UUID.randomUUID().toString(), 1, "1.0000", AccountStatus.OPEN);
            state.setOwner(owner);
            state.setAccountType(type);
            publish(state);
            ids.add(state.getAccountId());
            assertEquals(200, get("/accounts/" + state.getAccountId() + "?minVersion=1").statusCode());
        }
        String byOwner = "/accounts?owner=" + java.net.URLEncoder.encode(owner, java.nio.charset.StandardCharsets.UTF_8);

        // when
        JsonNode savings = JSON.readTree(get(byOwner + "&accountType=SAVINGS").body()).path("items");
        JsonNode checking = JSON.readTree(get(byOwner + "&accountType=checking&status=OPEN").body()).path("items");
        HttpResponse<String> gold = get("/accounts?accountType=GOLD");
        HttpResponse<String> blank = get("/accounts?accountType=%20");

        // then
        assertEquals(1, savings.size(), savings.toString());
        assertEquals(ids.get(1), savings.get(0).path("accountId").asText());
        assertEquals(1, checking.size(), checking.toString());
        assertEquals(ids.get(0), checking.get(0).path("accountId").asText());
        for (HttpResponse<String> bad : List.of(gold, blank)) {
            assertProblem(bad, 400);
            assertEquals("/problems/invalid-request", JSON.readTree(bad.body()).path("type").asText());
            assertTrue(JSON.readTree(bad.body()).path("detail").asText().startsWith("accountType must be CHECKING or SAVINGS, got '"),
                    bad.body());
        }
    }

    @Test
    void shouldRelayHistoryTimeTravelAndTotalsToTheProjection() throws Exception {
        // given
        String id = UUID.randomUUID().toString();

        // when
        HttpResponse<String> events = get("/accounts/" + id + "/events?fromVersion=3&limit=2");
        HttpResponse<String> asOfVersion = get("/accounts/" + id + "?asOfVersion=2");
        HttpResponse<String> asOf = get("/accounts/" + id + "?asOf=2025-01-01T10:00:02Z");
        HttpResponse<String> totals = get("/bank/totals");

        // then: the projection's internal answers rendered as the public JSON, the parameters passed on
        assertEquals(200, events.statusCode(), events.body());
        JsonNode deposit = JSON.readTree(events.body()).path("items").get(0);
        assertEquals(3, deposit.path("version").asInt());
        assertEquals("MoneyDeposited", deposit.path("eventType").asText());
        assertEquals("1.00", deposit.path("payload").path("amount").asText());
        assertEquals("101.50", deposit.path("payload").path("balanceAfter").asText());
        assertTrue(deposit.path("payload").has("reference") && deposit.path("payload").path("reference").isNull(), deposit.toString());
        assertEquals(4, JSON.readTree(events.body()).path("next").asInt());
        assertEquals(200, asOfVersion.statusCode(), asOfVersion.body());
        assertEquals("\"2\"", asOfVersion.headers().firstValue("ETag").orElse(null));
        assertEquals("100.00", JSON.readTree(asOfVersion.body()).path("balance").asText());
        assertEquals(id, JSON.readTree(asOfVersion.body()).path("accountId").asText());
        assertEquals(200, asOf.statusCode(), asOf.body());
        assertEquals("7.50", JSON.readTree(totals.body()).path("balances").path("EUR").asText());
        assertEquals(1, JSON.readTree(totals.body()).path("accountsByStatus").path("OPEN").asInt());
        // then: large sums exact, as JSON strings in the currency's scale, never a number or exponent notation
        assertTrue(totals.body().contains("\"CHF\":\"1234567890123456789012.34\""), totals.body());
        assertTrue(totals.body().contains("\"JPY\":\"2000000000000000000\""), totals.body());
        assertTrue(totals.body().contains("\"USD\":\"" + "9".repeat(47) + ".99\""), totals.body());
        assertTrue(PROJECTION_REQUESTS.contains("/internal/v1/accounts/" + id + "/events?fromVersion=3&limit=2"), PROJECTION_REQUESTS.toString());
        assertTrue(PROJECTION_REQUESTS.contains("/internal/v1/accounts/" + id + "/state?asOfVersion=2"), PROJECTION_REQUESTS.toString());
        assertTrue(PROJECTION_REQUESTS.contains("/internal/v1/accounts/" + id + "/state?asOf=2025-01-01T10%3A00%3A02Z"), PROJECTION_REQUESTS.toString());
    }

    @Test
    void shouldLetTimeTravelWaitForWhatThisServiceHasSeenAndAnswer503ForASeenVersionTheProjectionLacks() throws Exception {
        // given: two accounts whose version 1 the projection published and whose version 2 is in the event log only
        // (folded here, not published yet)
        String waited = UUID.randomUUID().toString();
        String lacking = UUID.randomUUID().toString();
        // and an account whose opening is in the event log only: the projection has published nothing of it
        String unpublished = UUID.randomUUID().toString();
        append(dev.eventbank.support.testing.Events.opened(unpublished, "100.00"));
        for (String id : List.of(waited, lacking)) {
            publish(state(id, 1, "100.0000", AccountStatus.OPEN));
            // the fold folds an event onto the view's state: the view has version 1 first
            assertEquals(200, get("/accounts/" + id + "?minVersion=1").statusCode());
            append(dev.eventbank.support.testing.Events.deposited(id, 2, "1.00", "101.00"));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        for (String path : List.of(waited + "?minVersion=2", lacking + "?minVersion=2", unpublished + "?minVersion=1")) {
            while (get("/accounts/" + path + "&maxWait=1000").statusCode() != 200) {
                assertTrue(System.nanoTime() < deadline, path + " not folded from the event log");
            }
        }

        // when: asOf now, as right after the deposit's 2xx
        CompletableFuture<HttpResponse<String>> asOf = HTTP.sendAsync(request("/accounts/" + waited
                + "?asOf=2030-01-01T00:00:00Z"), HttpResponse.BodyHandlers.ofString());
        Thread.sleep(1_000);

        // then: it waits for the projection to have version 2 (it used to answer version 1 at once), and is answered
        // once it has (a wait that ran out would be a 503)
        assertFalse(asOf.isDone(), "asOf answered before the projection published version 2");
        assertFalse(PROJECTION_REQUESTS.stream().anyMatch(r -> r.contains(waited)), PROJECTION_REQUESTS.toString());
        publish(state(waited, 2, "101.0000", AccountStatus.OPEN));
        HttpResponse<String> asOfAnswer = asOf.get(10, TimeUnit.SECONDS);
        assertEquals(200, asOfAnswer.statusCode(), asOfAnswer.body());

        // when: asOfVersion=2 of the other account, which this service has seen and the projection not
        HttpResponse<String> lackingVersion = get("/accounts/" + lacking + "?asOfVersion=2");

        // then: a 503 to retry, as a minVersion read gets (it used to be the projection's 404 "no version 2 yet")
        assertProblem(lackingVersion, 503);
        assertEquals("/problems/version-not-visible", JSON.readTree(lackingVersion.body()).path("type").asText());
        assertEquals(1, JSON.readTree(lackingVersion.body()).path("currentVersion").asInt(), lackingVersion.body());
        assertFalse(PROJECTION_REQUESTS.contains("/internal/v1/accounts/" + lacking + "/state?asOfVersion=2"),
                PROJECTION_REQUESTS.toString());
        // when: asOf an instant the projection's state of that account is past (its version 1 occurred at 10:00:01)
        HttpResponse<String> pastInstant = get("/accounts/" + lacking + "?asOf=2025-01-01T10:00:00.500Z");

        // then: answered by the projection without waiting for version 2, which cannot change it (it waited and was
        // a 503 after the min-version timeout)
        assertEquals(200, pastInstant.statusCode(), pastInstant.body());
        assertTrue(PROJECTION_REQUESTS.contains("/internal/v1/accounts/" + lacking
                + "/state?asOf=2025-01-01T10%3A00%3A00.500Z"), PROJECTION_REQUESTS.toString());
        // and an instant at the state's last event is not past it (version 2 may have occurred in the same
        // millisecond): it waits, and is the 503
        assertProblem(get("/accounts/" + lacking + "?asOf=2025-01-01T10:00:01Z"), 503);
        // and so for an account the projection has published nothing of yet (it used to be a 404 "no account")
        HttpResponse<String> unpublishedVersion = get("/accounts/" + unpublished + "?asOfVersion=1");
        assertProblem(unpublishedVersion, 503);
        assertEquals("/problems/version-not-visible", JSON.readTree(unpublishedVersion.body()).path("type").asText());
        // a minVersion above what was seen is the same 503 (it was the projection's 404 "no account"), a history page
        // past the seen versions waits for nothing and is the projection's to answer
        assertProblem(get("/accounts/" + unpublished + "/events?minVersion=5"), 503);
        HttpResponse<String> pastSeen = get("/accounts/" + unpublished + "/events?fromVersion=3&limit=2");
        assertEquals(200, pastSeen.statusCode(), pastSeen.body());
    }

    @Test
    void shouldAnswerProblemsForBadTimeTravelAndHistoryParametersAndAFailingProjection() throws Exception {
        // given
        String id = UUID.randomUUID().toString();

        // when / then: checked here, never sent on
        assertProblem(get("/accounts/" + id + "?asOfVersion=2&asOf=2025-01-01T10:00:00Z"), 400);
        assertProblem(get("/accounts/" + id + "?asOfVersion=0"), 400);
        assertProblem(get("/accounts/" + id + "?asOf=yesterday"), 400);
        assertProblem(get("/accounts/" + id + "?asOfVersion=2&minVersion=2"), 400);
        assertProblem(get("/accounts/" + id + "/events?limit=0"), 400);
        assertProblem(get("/accounts/" + id + "/events?limit=1001"), 400);
        assertProblem(get("/accounts/" + id + "/events?fromVersion=x"), 400);
        assertProblem(get("/accounts/not-a-uuid/events"), 404);
        // a version the account does not have yet is a 404 with currentVersion; the projection's 5xx a 503 with Retry-After
        HttpResponse<String> unknown = get("/accounts/" + id + "?asOfVersion=404");
        assertProblem(unknown, 404);
        assertEquals(7, JSON.readTree(unknown.body()).path("currentVersion").asInt());
        assertEquals("account " + id + " has no version 404 yet: its current version is 7",
                JSON.readTree(unknown.body()).path("detail").asText());
        HttpResponse<String> beforeOpening = get("/accounts/" + id + "?asOf=2024-01-01T00:00:00Z");
        assertProblem(beforeOpening, 404);
        assertEquals("account " + id + " was opened at 2025-01-01T10:00:00Z, after 2024-01-01T00:00:00Z",
                JSON.readTree(beforeOpening.body()).path("detail").asText());
        HttpResponse<String> noHistory = get("/accounts/" + id + "/events?fromVersion=404");
        assertProblem(noHistory, 404);
        assertEquals("no account with id " + id, JSON.readTree(noHistory.body()).path("detail").asText());
        HttpResponse<String> failing = get("/accounts/" + id + "?asOfVersion=500");
        assertProblem(failing, 503);
        assertEquals("1", failing.headers().firstValue("Retry-After").orElse(null));
        assertTrue(PROJECTION_REQUESTS.stream().noneMatch(r -> r.contains("asOf=yesterday") || r.contains("limit=0")));
    }

    /**
     * Stands in for the projection's internal API (/internal/v1): canned answers in its representation (the schemas'
     * Avro records in wire format, base64), requests recorded.
     */
    private static com.sun.net.httpserver.HttpServer stubProjection() throws Exception {
        com.sun.net.httpserver.HttpServer stub = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("localhost", 0), 0);
        var registry = SchemaRegistryClients.forUrl(REGISTRY_URL);
        var eventSerializer = AvroSerdes.value(dev.eventbank.schemas.events.BankAccountEvent.class, registry).serializer();
        var stateSerializer = AvroSerdes.value(AccountState.class, registry).serializer();
        var totalsSerializer = AvroSerdes.value(dev.eventbank.schemas.readmodel.BankTotals.class, registry).serializer();
        java.util.Base64.Encoder base64 = java.util.Base64.getEncoder();
        stub.createContext("/internal/v1", exchange -> {
            if (TestSecurity.refusedWithoutCredentials(exchange)) {
                return;
            }
            String uri = exchange.getRequestURI().toString();
            PROJECTION_REQUESTS.add(uri);
            String id = uri.startsWith("/internal/v1/accounts/") ? uri.split("/")[4] : null;
            int status = 200;
            String type = "application/json";
            String body;
            if (uri.endsWith("asOfVersion=404")) {
                body = "{\"outcome\":\"BEYOND_CURRENT\",\"state\":null,\"currentVersion\":7,\"openedAt\":null}";
            } else if (uri.contains("asOf=2024")) {
                body = "{\"outcome\":\"BEFORE_OPENING\",\"state\":null,\"currentVersion\":null,"
                        + "\"openedAt\":\"2025-01-01T10:00:00Z\"}";
            } else if (uri.endsWith("asOfVersion=500")) {
                status = 500;
                body = "{}";
            } else if (uri.contains("/events?fromVersion=404")) {
                body = "{\"accountExists\":false,\"events\":[],\"next\":null}";
            } else if (uri.contains("/events")) {
                var deposit = dev.eventbank.schemas.events.BankAccountEvent.newBuilder().setEventId(UUID.randomUUID().toString())
                        .setAggregateId(id).setAggregateType("BankAccount").setVersion(3).setEventType("MoneyDeposited")
                        .setOccurredAt(Instant.parse("2025-01-01T10:00:03Z")).setCommandId(UUID.randomUUID().toString())
                        .setCorrelationId(UUID.randomUUID().toString())
                        .setPayload(new dev.eventbank.schemas.events.MoneyDeposited(new BigDecimal("1.0000"), "EUR",
                                new BigDecimal("101.5000"), null)).build();
                body = "{\"accountExists\":true,\"events\":[\"" + base64.encodeToString(eventSerializer.serialize(
                        Topics.EVENTS.name(), deposit)) + "\"],\"next\":4}";
            } else if (uri.contains("/state")) {
                body = "{\"outcome\":\"FOUND\",\"state\":\"" + base64.encodeToString(stateSerializer.serialize(
                        Topics.STATE.name(), state(id, 2, "100.0000", AccountStatus.OPEN)))
                        + "\",\"currentVersion\":null,\"openedAt\":null}";
            } else {
                // sums past 10^18 (BankTotals v2 holds decimal(51,4)) next to an ordinary one
                var totals = new dev.eventbank.schemas.readmodel.BankTotals(Map.of("EUR", new BigDecimal("7.5000"),
                        "CHF", new BigDecimal("1234567890123456789012.3400"), "JPY", new BigDecimal("2000000000000000000.0000"),
                        "USD", new BigDecimal("99999999999999999999999999999999999999999999999.9900")),
                        Map.of("OPEN", 1L), 2L, Instant.parse("2025-01-01T10:00:00Z"));
                body = "{\"totals\":\"" + base64.encodeToString(totalsSerializer.serialize("bank-totals", totals)) + "\"}";
            }
            byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", type);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        stub.start();
        return stub;
    }

    @Test
    void shouldReportUpWhenTheViewIsRunning() throws Exception {
        // when
        HttpResponse<String> health = get("/health");

        // then: ours (current data) and micronaut-kafka's (the Streams app runs, by application id)
        assertEquals(200, health.statusCode(), health.body());
        com.fasterxml.jackson.databind.JsonNode details = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(health.body()).path("details");
        assertEquals("RUNNING", details.path("kafka-streams").path("details").path("state").asText(), health.body());
        assertTrue(details.path("kafka").isMissingNode(), "micronaut-kafka's kafka component is off: " + health.body());
        assertEquals("UP", details.path("kafkaStreams").path("details").path(APPLICATION_ID).path("status").asText(),
                health.body());
    }

    @Test
    void shouldRunTheViewThroughMicronautKafkaWithTheConfiguredApplicationIdAndStateDirectory() throws Exception {
        // given: eventbank.streams.application-id and .state-dir, the documented keys, set at start

        // when
        java.util.Properties config = server.getApplicationContext()
                .getBean(io.micronaut.configuration.kafka.streams.ConfiguredStreamBuilder.class).getConfiguration();

        // then: micronaut-kafka built the app from kafka.streams.default.*, which takes them by default
        assertEquals(APPLICATION_ID, config.get("application.id"));
        // in the configured directory, the cluster's own (ClusterStateDirectory)
        String clusterId;
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
                "bootstrap.servers", TestBroker.shared().bootstrapServers()))) {
            clusterId = admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS);
        }
        java.nio.file.Path clusterDir = stateDir.resolve("cluster-" + clusterId);
        assertEquals(clusterDir.toString(), config.get("state.dir"));
        assertEquals("exactly_once_v2", config.get("processing.guarantee"), "the view reads committed states only");
        assertEquals("read_committed", config.get("global.consumer.isolation.level"),
                "its one consumer, which exactly-once alone leaves to the configuration");
        assertTrue(java.nio.file.Files.isDirectory(clusterDir.resolve(APPLICATION_ID)),
                "the app's state directory");
    }

    /** A problem+json answer: status, a type of the one catalogue (/problems/...), a detail, the correlation id. */
    private static void assertProblem(HttpResponse<String> response, int status) throws Exception {
        assertEquals(status, response.statusCode(), response.uri() + " " + response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
                response.headers().map() + " " + response.body());
        JsonNode problem = JSON.readTree(response.body());
        assertEquals(status, problem.path("status").asInt(), response.body());
        assertTrue(problem.path("type").asText().startsWith("/problems/"), "type of " + response.body());
        assertFalse(problem.path("detail").asText().isBlank(), "detail missing in " + response.body());
        assertTrue(response.headers().firstValue("X-Correlation-Id").isPresent(),
                "no X-Correlation-Id on " + response.uri() + " " + response.statusCode());
    }

    @Test
    void shouldAnswer400NamingTheParameterAndItsRangeForNumbersPastIntOrLongRange() throws Exception {
        // given
        String id = UUID.randomUUID().toString();
        Map<String, String> paths = new java.util.LinkedHashMap<>();
        for (String big : List.of("2147483648", "4294967297", "9223372036854775807", "-2147483649")) {
            paths.put("/accounts?limit=" + big, "limit must be an integer from 1 to 500");
            paths.put("/accounts/" + id + "/events?limit=" + big, "limit must be an integer from 1 to 1000");
        }
        for (String huge : List.of("9223372036854775808", "99999999999999999999999", "-9223372036854775809")) {
            paths.put("/accounts/" + id + "?minVersion=" + huge, "minVersion must be an integer from 1 to 9223372036854775807");
            paths.put("/accounts/" + id + "?minVersion=1&maxWait=" + huge, "maxWait must be an integer from 0 to 9223372036854775807");
            paths.put("/accounts/" + id + "?asOfVersion=" + huge, "asOfVersion must be an integer from 1 to 9223372036854775807");
            paths.put("/accounts/" + id + "/events?fromVersion=" + huge, "fromVersion must be an integer from 1 to 9223372036854775807");
        }
        for (var path : paths.entrySet()) {
            // when
            HttpResponse<String> response = get(path.getKey());
            // then: never a 500, never wrapped to a small number
            assertProblem(response, 400);
            assertTrue(JSON.readTree(response.body()).path("detail").asText().startsWith(path.getValue()),
                    path.getKey() + " " + response.body());
            assertEquals("/problems/invalid-request", JSON.readTree(response.body()).path("type").asText());
        }
        assertTrue(PROJECTION_REQUESTS.stream().noneMatch(r -> r.contains("2147483648") || r.contains("4294967297")));
    }

    @Test
    void shouldAnswerAnUpperCaseAccountIdAsItsLowerCaseForm() throws Exception {
        // given
        String id = UUID.randomUUID().toString();
        publish(state(id, 2, "10.0000", AccountStatus.OPEN));
        assertEquals(200, get("/accounts/" + id + "?minVersion=2").statusCode());

        // when
        HttpResponse<String> upper = get("/accounts/" + id.toUpperCase(java.util.Locale.ROOT));
        HttpResponse<String> mixed = get("/accounts/" + id.substring(0, 9).toUpperCase(java.util.Locale.ROOT)
                + id.substring(9) + "?minVersion=2");
        get("/accounts/" + id.toUpperCase(java.util.Locale.ROOT) + "/events");
        get("/accounts/" + id.toUpperCase(java.util.Locale.ROOT) + "?asOfVersion=1");

        // then: the same account, and the projection is asked for the canonical id
        for (HttpResponse<String> response : List.of(upper, mixed)) {
            assertEquals(200, response.statusCode(), response.body());
            assertEquals(id, JSON.readTree(response.body()).path("accountId").asText());
        }
        assertTrue(PROJECTION_REQUESTS.contains("/internal/v1/accounts/" + id + "/events?fromVersion=1&limit=100"), PROJECTION_REQUESTS.toString());
        assertTrue(PROJECTION_REQUESTS.contains("/internal/v1/accounts/" + id + "/state?asOfVersion=1"), PROJECTION_REQUESTS.toString());
    }

    @Test
    void shouldRelayAnInstantPastYear9999Encoded() throws Exception {
        // given
        String id = UUID.randomUUID().toString();

        // when
        HttpResponse<String> response = get("/accounts/" + id + "?asOf=%2B10000-01-01T00:00:00Z");

        // then: the + arrives as a +, not as a space
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(PROJECTION_REQUESTS.contains("/internal/v1/accounts/" + id + "/state?asOf=%2B10000-01-01T00%3A00%3A00Z"),
                PROJECTION_REQUESTS.toString());
    }

    @Test
    void shouldEchoAValidCorrelationIdAndRefuseAMalformedOneWithA400() throws Exception {
        // given
        String id = UUID.randomUUID().toString();
        String correlationId = "trace-" + UUID.randomUUID();

        // when
        HttpResponse<String> notFound = get("/accounts/" + id, Map.of("X-Correlation-Id", correlationId));
        HttpResponse<String> badParameter = get("/accounts?limit=0", Map.of("X-Correlation-Id", correlationId));
        HttpResponse<String> withSpace = get("/accounts/" + id, Map.of("X-Correlation-Id", "has space"));
        HttpResponse<String> tooLong = get("/accounts", Map.of("X-Correlation-Id", "x".repeat(201)));
        HttpResponse<String> longest = get("/accounts?limit=1", Map.of("X-Correlation-Id", "y".repeat(200)));

        // then
        assertProblem(notFound, 404);
        assertEquals(correlationId, notFound.headers().firstValue("X-Correlation-Id").orElse(null));
        assertProblem(badParameter, 400);
        assertEquals(correlationId, badParameter.headers().firstValue("X-Correlation-Id").orElse(null));
        for (HttpResponse<String> refused : List.of(withSpace, tooLong)) {
            assertProblem(refused, 400);
            assertTrue(JSON.readTree(refused.body()).path("detail").asText().startsWith("X-Correlation-Id must be 1 to 200"),
                    refused.body());
        }
        assertEquals(200, longest.statusCode(), longest.body());
        assertEquals("y".repeat(200), longest.headers().firstValue("X-Correlation-Id").orElse(null));
    }

    @Test
    void shouldAnswer414And431ProblemsForAnOverLongUrlOrHeaders() throws Exception {
        // when
        HttpResponse<String> longUrl = get("/accounts?after=" + "a".repeat(10_000),
                Map.of("X-Correlation-Id", "long-url"));
        HttpResponse<String> longPath = get("/accounts/" + "a".repeat(9_000), Map.of());
        HttpResponse<String> bigHeaders = get("/accounts", Map.of("X-Filler", "b".repeat(20_000),
                "X-Correlation-Id", "big-headers"));

        // then
        assertProblem(longUrl, 414);
        assertEquals("/problems/uri-too-long", JSON.readTree(longUrl.body()).path("type").asText());
        assertProblem(longPath, 414);
        assertTrue(JSON.readTree(longPath.body()).path("detail").asText().contains("shorten the URL"), longPath.body());
        assertProblem(bigHeaders, 431);
        assertEquals("/problems/header-fields-too-large", JSON.readTree(bigHeaders.body()).path("type").asText());
    }

    @Test
    void shouldApplyTheTextRuleToTheOwnerFilter() throws Exception {
        for (String owner : List.of("%00", "a%1B%5B31m", "%E2%80%8B", "%0A", "%E2%80%AEevil")) {
            HttpResponse<String> response = get("/accounts?owner=" + owner);
            assertProblem(response, 400);
            assertTrue(JSON.readTree(response.body()).path("detail").asText().startsWith("owner must"), response.body());
        }
    }

    @Test
    void shouldTypeProblemsFromTheOneCatalogue() throws Exception {
        assertEquals("/problems/account-not-found",
                JSON.readTree(get("/accounts/" + UUID.randomUUID()).body()).path("type").asText());
        assertEquals("/problems/not-found", JSON.readTree(get("/nothing-here").body()).path("type").asText());
        assertEquals("/problems/method-not-allowed", JSON.readTree(HTTP.send(HttpRequest.newBuilder(uri("/accounts")).header("Authorization", TestSecurity.TELLER)
                .DELETE().build(), HttpResponse.BodyHandlers.ofString()).body()).path("type").asText());
    }

    private static AccountState state(String id, long version, String balance, AccountStatus status) {
        Instant opened = Instant.parse("2025-01-01T10:00:00Z");
        return AccountState.newBuilder().setAccountId(id).setAccountNumber("NL00EVBK" + id.substring(0, 8))
                .setOwner("Ada Lovelace").setCurrency("EUR").setBalance(new BigDecimal(balance)).setStatus(status)
                .setVersion(version).setOpenedAt(opened).setUpdatedAt(opened.plusSeconds(version)).build();
    }

    /** Appends {@code event} to the event log, as the command writer would: this service's fresh fold reads it. */
    private static void append(BankAccountEvent event) {
        try {
            eventProducer.send(new ProducerRecord<>(Topics.EVENTS.name(), event.getAggregateId(), event)).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not append an event of " + event.getAggregateId(), e);
        }
    }

    private static void createEventsTopic(String bootstrapServers) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", bootstrapServers))) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(Topics.EVENTS.name(), 3, (short) 1)))
                    .all().get();
        } catch (java.util.concurrent.ExecutionException exists) {
            if (!(exists.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                throw exists;
            }
        }
    }

    private static void publish(AccountState state) {
        try {
            producer.send(new ProducerRecord<>(Topics.STATE.name(), state.getAccountId(), state)).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not publish " + state.getAccountId(), e);
        }
    }

    private static void awaitHealthy() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (get("/health").statusCode() != 200) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("query service not healthy: " + get("/health").body());
            }
            Thread.sleep(200);
        }
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(request(path), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET();
        if (!headers.containsKey("Authorization")) {
            request.header("Authorization", TestSecurity.TELLER);
        }
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest request(String path) {
        return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", TestSecurity.TELLER).GET().build();
    }

    private static URI uri(String path) {
        return URI.create("http://localhost:" + server.getPort() + path);
    }
}
