package dev.eventbank.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.commands.BankAccountCommand;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.events.MoneyDeposited;
import dev.eventbank.support.testing.ServiceUnderTest;
import dev.eventbank.testbroker.DecidedOffsets;
import dev.eventbank.testbroker.TestBroker;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command service as deployed (Micronaut, the router, the partition writers) against a real broker, driven over HTTP; the event log, read back read_committed, is the judge.
 */
class CommandServiceIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String REGISTRY_URL = ServiceUnderTest.sharedRegistryUrl();

    private static EmbeddedServer server;
    private static String bootstrapServers;
    private static String existingAccount;

    @BeforeAll
    static void startService() throws Exception {
        bootstrapServers = TestBroker.shared().bootstrapServers();
        server = ApplicationContext.run(EmbeddedServer.class, withTestIssuer(Map.of(
                "micronaut.server.port", -1,
                "kafka.bootstrap.servers", bootstrapServers,
                "schema-registry.url", REGISTRY_URL,
                "eventbank.commands.group-id", "command-it-" + UUID.randomUUID(),
                "eventbank.commands.transactional-id-prefix", "command-it-" + UUID.randomUUID(),
                "eventbank.topics.partitions", 3,
                "eventbank.commands.state-dir", ServiceUnderTest.stateDir("command-it-writers").toString(),
                // its internal API is called below as a forwarding instance would
                "eventbank.security.internal.password", TestInstances.PASSWORD)));
        awaitHealthy();
        existingAccount = open("100.00");
    }

    @AfterAll
    static void stopService() {
        if (server != null) {
            server.getApplicationContext().close();
        }
    }

    @Test
    void shouldAnswer201WithLocationAndETagWhenAnAccountIsOpened() throws Exception {
        // given: a number of this run's own (the writer ITs of the same JVM hold NL01EVBK0001 on the shared topics)
        String number = "NL01 EVBK " + Long.toString(System.nanoTime() % 10_000_000_000L);

        // when
        HttpResponse<String> response = post("/accounts",
                "{\"owner\":\"Ada Lovelace\",\"currency\":\"EUR\",\"initialDeposit\":100.5,\"accountNumber\":\"" + number + "\"}",
                Map.of("X-Correlation-Id", "corr-open-1"));

        // then
        assertEquals(201, response.statusCode(), response.body());
        JsonNode body = JSON.readTree(response.body());
        String account = body.path("accountId").asText();
        UUID.fromString(account);
        assertEquals(1, body.path("version").asLong());
        assertEquals("\"1\"", response.headers().firstValue("ETag").orElse(null));
        assertEquals("/accounts/" + account, response.headers().firstValue("Location").orElse(null));
        assertEquals("corr-open-1", response.headers().firstValue("X-Correlation-Id").orElse(null));
        List<BankAccountEvent> events = TestEventLog.eventsOf(account);
        assertEquals(1, events.size());
        assertEquals("AccountOpened", events.get(0).getEventType());
        assertEquals("corr-open-1", events.get(0).getCorrelationId());
    }

    @Test
    void shouldAnswer200WithETagAndVersionWhenDepositingAndWithdrawing() throws Exception {
        // given
        String account = open("10.00");

        // when
        HttpResponse<String> deposit = post("/accounts/" + account + "/deposits", "{\"amount\":\"50.25\"}", Map.of());
        HttpResponse<String> withdrawal = post("/accounts/" + account + "/withdrawals", "{\"amount\":30.25}", Map.of());

        // then
        assertEquals(200, deposit.statusCode(), deposit.body());
        assertEquals(2, JSON.readTree(deposit.body()).path("version").asLong());
        assertEquals("\"2\"", deposit.headers().firstValue("ETag").orElse(null));
        assertEquals(200, withdrawal.statusCode(), withdrawal.body());
        assertEquals(3, JSON.readTree(withdrawal.body()).path("version").asLong());
        assertEquals("\"3\"", withdrawal.headers().firstValue("ETag").orElse(null));
        List<BankAccountEvent> events = TestEventLog.eventsOf(account);
        assertEquals(List.of(1L, 2L, 3L), events.stream().map(BankAccountEvent::getVersion).toList());
        assertEquals(0, new BigDecimal("60.25").compareTo(((MoneyDeposited) events.get(1).getPayload()).getBalanceAfter()));
    }

    @Test
    void shouldAnswer422WhenFundsAreInsufficient() throws Exception {
        // given
        String account = open("10.00");

        // when
        HttpResponse<String> response = post("/accounts/" + account + "/withdrawals", "{\"amount\":\"10.01\"}", Map.of());

        // then
        assertProblem(response, 422);
        JsonNode problem = JSON.readTree(response.body());
        assertEquals("/problems/insufficient-funds", problem.path("type").asText());
        assertEquals(account, problem.path("accountId").asText());
        assertFalse(problem.path("commandId").asText().isEmpty());
        assertEquals(1, TestEventLog.eventsOf(account).size());
    }

    @Test
    void shouldAnswer404WhenTheAccountIsUnknown() throws Exception {
        // when
        String unknown = UUID.randomUUID().toString();
        HttpResponse<String> response = post("/accounts/" + unknown + "/deposits", "{\"amount\":\"1\"}", Map.of());

        // then
        assertProblem(response, 404);
        assertEquals("/problems/account-not-found", JSON.readTree(response.body()).path("type").asText());
        assertTrue(TestEventLog.eventsOf(unknown).isEmpty());
    }

    @Test
    void shouldAnswer409WithTheCurrentVersionWhenIfMatchDiffers() throws Exception {
        // given
        String account = open("10.00");
        assertEquals(200, post("/accounts/" + account + "/deposits", "{\"amount\":\"1\"}", Map.of("If-Match", "\"1\"")).statusCode());

        // when
        HttpResponse<String> response = post("/accounts/" + account + "/withdrawals", "{\"amount\":\"1\"}",
                Map.of("If-Match", "\"1\""));

        // then
        assertProblem(response, 409);
        assertEquals(2, JSON.readTree(response.body()).path("currentVersion").asLong());
        assertEquals(2, TestEventLog.eventsOf(account).size());
    }

    @Test
    void shouldAnswerTheFirstOutcomeAndAppendNothingWhenAnIdempotentRequestIsRetried() throws Exception {
        // given
        String key = "open-" + UUID.randomUUID();
        String openBody = "{\"owner\":\"Grace Hopper\",\"currency\":\"EUR\",\"initialDeposit\":\"10\"}";
        HttpResponse<String> opened = post("/accounts", openBody, Map.of("Idempotency-Key", key));
        String account = JSON.readTree(opened.body()).path("accountId").asText();
        HttpResponse<String> first = post("/accounts/" + account + "/deposits", "{\"amount\":\"5.00\"}",
                Map.of("Idempotency-Key", "deposit-1"));

        // when
        HttpResponse<String> reopened = post("/accounts", openBody, Map.of("Idempotency-Key", key));
        HttpResponse<String> retry = post("/accounts/" + account + "/deposits", "{\"amount\":5}",
                Map.of("Idempotency-Key", "deposit-1"));
        HttpResponse<String> reuse = post("/accounts/" + account + "/deposits", "{\"amount\":\"6\"}",
                Map.of("Idempotency-Key", "deposit-1"));

        // then
        assertEquals(201, reopened.statusCode(), reopened.body());
        assertEquals(account, JSON.readTree(reopened.body()).path("accountId").asText());
        assertEquals(200, first.statusCode(), first.body());
        assertEquals(200, retry.statusCode(), retry.body());
        assertEquals(2, JSON.readTree(retry.body()).path("version").asLong());
        assertEquals("\"2\"", retry.headers().firstValue("ETag").orElse(null));
        assertProblem(reuse, 422);
        assertEquals("/problems/idempotency-key-reused", JSON.readTree(reuse.body()).path("type").asText());
        assertEquals(List.of(1L, 2L), TestEventLog.eventsOf(account).stream().map(BankAccountEvent::getVersion).toList());
    }

    @Test
    void shouldAnswer404ForTheRemovedCommandPollingEndpoint() throws Exception {
        // GET /commands/{id} served the 202 path, which the direct write path no longer has
        assertProblem(get("/commands/" + UUID.randomUUID()), 404);
    }

    @Test
    void shouldCloseAnEmptiedAccountAndRefuseToCloseAFullOne() throws Exception {
        // given
        String account = open("5.00");

        // when
        HttpResponse<String> refused = post("/accounts/" + account + "/close", "", Map.of());
        post("/accounts/" + account + "/withdrawals", "{\"amount\":\"5\"}", Map.of());
        HttpResponse<String> closed = post("/accounts/" + account + "/close", "{\"reason\":\"moving\"}", Map.of());
        HttpResponse<String> afterClose = post("/accounts/" + account + "/deposits", "{\"amount\":\"5\"}", Map.of());

        // then
        assertProblem(refused, 422);
        assertEquals("/problems/non-zero-balance", JSON.readTree(refused.body()).path("type").asText());
        assertEquals(200, closed.statusCode(), closed.body());
        assertEquals("\"3\"", closed.headers().firstValue("ETag").orElse(null));
        assertProblem(afterClose, 422);
        assertEquals("/problems/account-closed", JSON.readTree(afterClose.body()).path("type").asText());
    }

    @Test
    void shouldAnswer400WhenTheAmountHasMoreDecimalsThanTheCurrency() throws Exception {
        // when
        HttpResponse<String> response = post("/accounts",
                "{\"owner\":\"Ada\",\"currency\":\"JPY\",\"initialDeposit\":\"10.5\"}", Map.of());

        // then
        assertProblem(response, 400);
        assertEquals("/problems/invalid-amount", JSON.readTree(response.body()).path("type").asText());
    }

    static Stream<Arguments> badRequests() {
        String deposits = "/accounts/{existing}/deposits";
        return Stream.of(
                bad("malformed JSON", "/accounts", "{\"owner\":", Map.of(), 400),
                bad("not an object", "/accounts", "[1,2]", Map.of(), 400),
                bad("trailing garbage", deposits, "{\"amount\":\"1\"} x", Map.of(), 400),
                bad("empty body", deposits, "", Map.of(), 400),
                bad("missing currency and deposit", "/accounts", "{\"owner\":\"Ada\"}", Map.of(), 400),
                bad("missing amount", deposits, "{}", Map.of(), 400),
                bad("null amount", deposits, "{\"amount\":null}", Map.of(), 400),
                bad("unknown field", deposits, "{\"ammount\":\"1\"}", Map.of(), 400),
                bad("duplicate field", deposits, "{\"amount\":\"1\",\"amount\":\"2\"}", Map.of(), 400),
                bad("boolean amount", deposits, "{\"amount\":true}", Map.of(), 400),
                bad("object amount", deposits, "{\"amount\":{\"value\":1}}", Map.of(), 400),
                bad("text amount", deposits, "{\"amount\":\"ten\"}", Map.of(), 400),
                bad("number owner", "/accounts", "{\"owner\":42,\"currency\":\"EUR\",\"initialDeposit\":\"1\"}", Map.of(), 400),
                bad("negative amount", deposits, "{\"amount\":\"-5\"}", Map.of(), 400),
                bad("zero amount", deposits, "{\"amount\":0}", Map.of(), 400),
                bad("negative initial deposit", "/accounts", "{\"owner\":\"Ada\",\"currency\":\"EUR\",\"initialDeposit\":-1}", Map.of(), 400),
                bad("scale 5 amount", deposits, "{\"amount\":\"1.00001\"}", Map.of(), 400),
                bad("scale 5 number", deposits, "{\"amount\":1.00001}", Map.of(), 400),
                bad("huge amount", deposits, "{\"amount\":\"1000000000000.01\"}", Map.of(), 400),
                bad("huge exponent", deposits, "{\"amount\":1e400}", Map.of(), 400),
                bad("unknown currency", "/accounts", "{\"owner\":\"Ada\",\"currency\":\"ABC\",\"initialDeposit\":\"1\"}", Map.of(), 400),
                bad("lower-case currency", "/accounts", "{\"owner\":\"Ada\",\"currency\":\"eur\",\"initialDeposit\":\"1\"}", Map.of(), 400),
                bad("blank owner", "/accounts", "{\"owner\":\"  \",\"currency\":\"EUR\",\"initialDeposit\":\"1\"}", Map.of(), 400),
                bad("long owner", "/accounts", "{\"owner\":\"" + "x".repeat(201) + "\",\"currency\":\"EUR\",\"initialDeposit\":\"1\"}", Map.of(), 400),
                bad("non-UUID account id", "/accounts/not-a-uuid/deposits", "{\"amount\":\"1\"}", Map.of(), 404),
                bad("malformed If-Match", deposits, "{\"amount\":\"1\"}", Map.of("If-Match", "\"v1"), 400),
                bad("long Idempotency-Key", deposits, "{\"amount\":\"1\"}", Map.of("Idempotency-Key", "k".repeat(201)), 400),
                bad("oversized body", deposits, "{\"amount\":\"1\",\"pad\":\"" + "x".repeat(17 * 1024) + "\"}", Map.of(), 413),
                bad("text/plain body", deposits, "{\"amount\":\"1\"}", Map.of("Content-Type", "text/plain"), 415));
    }

    private static Arguments bad(String name, String path, String body, Map<String, String> headers, int status) {
        return Arguments.of(name, path, body, headers, status);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void shouldAnswerAProblemAndProduceNothingWhenTheRequestIsBad(String name, String path, String body,
                                                                  Map<String, String> headers, int status) throws Exception {
        // given
        // (not the aggregates topic: writers write it up to a second after earlier commands, whatever comes now)
        long outcomesBefore = endOffsets(Topics.COMMAND_OUTCOMES.name());
        long eventsBefore = endOffsets(Topics.EVENTS.name());

        // when
        HttpResponse<String> response = post(path.replace("{existing}", existingAccount), body, headers);

        // then
        assertProblem(response, status);
        assertEquals(outcomesBefore, endOffsets(Topics.COMMAND_OUTCOMES.name()), "an outcome was recorded for: " + name);
        assertEquals(eventsBefore, endOffsets(Topics.EVENTS.name()), "an event was appended for: " + name);
    }

    @Test
    void shouldRefuseAForwardedCommandThatThePublicApiWouldRefuse() throws Exception {
        // given: a command as another instance would forward it, but with an owner the text rule refuses
        BankAccountCommand forged = BankAccountCommand.newBuilder()
                .setCommandId(UUID.randomUUID().toString()).setAccountId(UUID.randomUUID().toString())
                .setExpectedVersion(null).setCorrelationId("forged").setIdempotencyKey(null).setFingerprint("f")
                .setIssuedAt(java.time.Instant.now())
                .setPayload(new dev.eventbank.schemas.commands.OpenAccount("NL01", "Eve\u0000\u001b[31m", "EUR",
                        dev.eventbank.schemas.AvroDecimals.toWire(BigDecimal.TEN), null, null, null))
                .build();
        java.nio.ByteBuffer encoded = forged.toByteBuffer();
        byte[] body = new byte[encoded.remaining()];
        encoded.get(body);
        long eventsBefore = endOffsets(Topics.EVENTS.name());

        // when
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url("/internal/commands")))
                .timeout(Duration.ofSeconds(30)).header("Authorization", TELLER).header("Content-Type", "application/vnd.eventbank.avro")
                .header(TestInstances.HEADER, TestInstances.header())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());

        // then
        assertEquals(400, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
        assertTrue(response.body().contains("/problems/invalid-request"), response.body());
        assertTrue(response.body().contains("owner"), response.body());
        assertEquals(eventsBefore, endOffsets(Topics.EVENTS.name()), "the forged command was appended");
    }

    @Test
    void shouldNotDecideAForwardedCommandAfterTheForwardingInstancesTimeWasUp() throws Exception {
        // given: an account, and a deposit as another instance forwards it when its caller's reply timeout is up
        String account = open("10");
        BankAccountCommand late = BankAccountCommand.newBuilder()
                .setCommandId(UUID.randomUUID().toString()).setAccountId(account)
                .setExpectedVersion(null).setCorrelationId("late-forward").setIdempotencyKey(null).setFingerprint("f")
                .setIssuedAt(java.time.Instant.now())
                .setPayload(new dev.eventbank.schemas.commands.DepositMoney(
                        dev.eventbank.schemas.AvroDecimals.toWire(new BigDecimal("5")), null))
                .build();
        java.nio.ByteBuffer encoded = late.toByteBuffer();
        byte[] body = new byte[encoded.remaining()];
        encoded.get(body);

        // when: it arrives with no time left, then a deposit with time left follows it on the same account
        HttpResponse<String> forwarded = HTTP.send(HttpRequest.newBuilder(URI.create(url("/internal/commands")))
                .timeout(Duration.ofSeconds(30)).header("Authorization", TELLER)
                .header("Content-Type", "application/vnd.eventbank.avro").header("X-Reply-Within-Ms", "0")
                .header(TestInstances.HEADER, TestInstances.header())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> next = post("/accounts/" + account + "/deposits", "{\"amount\":\"1\"}", Map.of());

        // then: the late one is answered outcome unknown and never decided (the next one, queued after it in the
        // same partition's writer, got version 2, and the log holds no event of it)
        assertEquals(503, forwarded.statusCode(), forwarded.body());
        assertEquals(200, next.statusCode(), next.body());
        assertEquals(2, JSON.readTree(next.body()).path("version").asLong(), next.body());
        List<dev.eventbank.schemas.events.BankAccountEvent> events = TestEventLog.eventsOf(account, 2);
        assertEquals(2, events.size());
        assertTrue(events.stream().noneMatch(e -> e.getCommandId().equals(late.getCommandId())), "the late command was appended");
    }

    @Test
    void shouldTellAForwardingInstanceWhenItCannotReadTheCommand() throws Exception {
        // when: an instance forwards bytes that are no command of a schema known here (another version's)
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url("/internal/commands")))
                .timeout(Duration.ofSeconds(30)).header("Authorization", TELLER).header("Content-Type", "application/vnd.eventbank.avro")
                .header(TestInstances.HEADER, TestInstances.header())
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[]{(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 0}))
                .build(), HttpResponse.BodyHandlers.ofString());

        // then: a 400 marked undecodable, which the forwarding instance answers its client as its own fault (503)
        assertEquals(400, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
        assertTrue(response.body().contains("\"undecodable\":true"), response.body());
    }

    @Test
    void shouldAnswerProblemsForUnknownRoutesAndMethods() throws Exception {
        assertProblem(get("/nowhere"), 404);
        assertProblem(get("/accounts"), 405);
    }

    @Test
    void shouldReportUpWhenEveryOwnedPartitionHasAReadyWriter() throws Exception {
        HttpResponse<String> health = get("/health");
        assertEquals(200, health.statusCode(), health.body());
        assertEquals("UP", JSON.readTree(health.body()).path("status").asText());
        // micronaut-kafka's kafka component is off (it misreports in the mode our principals allow: README)
        assertTrue(JSON.readTree(health.body()).path("details").path("kafka").isMissingNode(), health.body());
    }

    private static void assertProblem(HttpResponse<String> response, int status) throws IOException {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""), response.body());
        JsonNode problem = JSON.readTree(response.body());
        assertEquals(status, problem.path("status").asInt(), response.body());
        assertFalse(problem.path("detail").asText().isBlank(), response.body());
    }

    private static String open(String initialDeposit) throws Exception {
        HttpResponse<String> opened = post("/accounts",
                "{\"owner\":\"Grace Hopper\",\"currency\":\"EUR\",\"initialDeposit\":\"" + initialDeposit + "\"}", Map.of());
        assertEquals(201, opened.statusCode(), opened.body());
        return JSON.readTree(opened.body()).path("accountId").asText();
    }

    private static HttpResponse<String> post(String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path)))
                .timeout(Duration.ofSeconds(30)).header("Authorization", TELLER)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (!headers.containsKey("Content-Type")) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(30))
                        .header("Authorization", TELLER).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The service's configuration plus the test issuer's keys, issuer and audience (ServiceUnderTest's). */
    private static Map<String, Object> withTestIssuer(Map<String, Object> config) {
        Map<String, Object> all = new java.util.HashMap<>(config);
        all.putAll(ServiceUnderTest.issuer().serviceProperties());
        return all;
    }

    /** Every request of this class is a teller's: it tests commands, not who may send them (SecurityIT). */
    private static final String TELLER = ServiceUnderTest.bearer("teller", "it-teller");

    private static String url(String path) {
        return "http://localhost:" + server.getPort() + path;
    }

    private static void awaitHealthy() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (get("/health").statusCode() == 200) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("command service not healthy within 60 s: " + get("/health").body());
    }

    /**
     * Sum of the topic's end offsets (transaction markers included) once every transaction written before the call
     * is decided ({@link DecidedOffsets}): grows with anything produced.
     */
    private static long endOffsets(String topic) {
        return DecidedOffsets.of(Map.of("bootstrap.servers", bootstrapServers), topic, Duration.ofSeconds(10))
                .values().stream().mapToLong(Long::longValue).sum();
    }
}
