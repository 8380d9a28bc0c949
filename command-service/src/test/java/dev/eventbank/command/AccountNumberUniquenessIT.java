package dev.eventbank.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbank.schemas.AvroDecimals;
import dev.eventbank.schemas.commands.AccountNumberAction;
import dev.eventbank.schemas.commands.AccountNumberCommand;
import dev.eventbank.schemas.commands.BankAccountCommand;
import dev.eventbank.schemas.commands.CommandOutcome;
import dev.eventbank.schemas.commands.CommandResult;
import dev.eventbank.schemas.commands.OpenAccount;
import dev.eventbank.schemas.events.AccountOpened;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.support.testing.ServiceUnderTest;
import dev.eventbank.testbroker.TestBroker;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Account numbers are unique (design invariant 6), proven on the command service as deployed against a real broker,
 * over HTTP; the event log, read back read_committed, is the judge: whatever the answers, it holds one AccountOpened
 * per number. The service runs with a reservation lease of {@value #LEASE_SECONDS} s (30 s by default), so that
 * the test of a reservation left behind by a crashed open does not wait long.
 */
class AccountNumberUniquenessIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String REGISTRY_URL = ServiceUnderTest.sharedRegistryUrl();
    private static final int LEASE_SECONDS = 3;
    private static final String AVRO = "application/vnd.eventbank.avro";

    private static EmbeddedServer server;
    private static String bootstrapServers;

    @BeforeAll
    static void startService() throws Exception {
        bootstrapServers = TestBroker.shared().bootstrapServers();
        server = ApplicationContext.run(EmbeddedServer.class, withTestIssuer(Map.of(
                "micronaut.server.port", -1,
                "kafka.bootstrap.servers", bootstrapServers,
                "schema-registry.url", REGISTRY_URL,
                "eventbank.commands.group-id", "numbers-it-" + UUID.randomUUID(),
                "eventbank.commands.transactional-id-prefix", "numbers-it-" + UUID.randomUUID(),
                "eventbank.commands.number-reservation-lease", LEASE_SECONDS + "s",
                "eventbank.topics.partitions", 3,
                "eventbank.commands.state-dir", ServiceUnderTest.stateDir("numbers-it-writers").toString(),
                // its internal API is called below as a forwarding instance would
                "eventbank.security.internal.password", TestInstances.PASSWORD)));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (get("/health").statusCode() != 200) {
            assertTrue(System.nanoTime() < deadline, "command service not healthy within 60 s");
            Thread.sleep(200);
        }
    }

    @AfterAll
    static void stopService() {
        if (server != null) {
            server.getApplicationContext().close();
        }
    }

    @Test
    void shouldAnswer409AndAppendNothingWhenAnotherAccountHasTheNumber() throws Exception {
        // given
        String number = newNumber();
        HttpResponse<String> first = open(number, Map.of());
        assertEquals(201, first.statusCode(), first.body());

        // when: the same number, then the same number written in lower case with other spacing
        HttpResponse<String> same = open(number, Map.of("X-Correlation-Id", "corr-taken-1"));
        HttpResponse<String> respelled = open(number.toLowerCase(Locale.ROOT).replaceFirst("^(..)", "$1-"), Map.of());

        // then
        for (HttpResponse<String> refused : List.of(same, respelled)) {
            assertEquals(409, refused.statusCode(), refused.body());
            assertEquals("application/problem+json", refused.headers().firstValue("Content-Type").orElse(""));
            JsonNode problem = JSON.readTree(refused.body());
            assertEquals("/problems/account-number-taken", problem.path("type").asText(), refused.body());
            assertEquals(409, problem.path("status").asInt());
            assertTrue(problem.path("detail").asText().contains("is already taken"), refused.body());
            // no account was opened, so none is named; nothing of the refused command is in the log
            assertTrue(problem.path("accountId").isMissingNode(), refused.body());
            String commandId = problem.path("commandId").asText();
            assertFalse(commandId.isEmpty(), refused.body());
            assertEquals(List.of(), TestEventLog.events().stream()
                    .filter(event -> event.getCommandId().equals(commandId)).toList(), "nothing appended for the refused open");
        }
        assertEquals("corr-taken-1", same.headers().firstValue("X-Correlation-Id").orElse(null));
        assertEquals(List.of(accountIdOf(first)), openedWith(number));
    }

    @Test
    void shouldOpenExactlyOneAccountWhenTwentyClientsOpenWithOneNumberAtOnce() throws Exception {
        // given
        String number = newNumber();

        // when
        List<HttpResponse<String>> answers = new ArrayList<>();
        ExecutorService clients = Executors.newFixedThreadPool(20);
        try {
            List<Future<HttpResponse<String>>> futures = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                futures.add(clients.submit(() -> open(number, Map.of())));
            }
            for (Future<HttpResponse<String>> future : futures) {
                answers.add(future.get());
            }
        } finally {
            clients.shutdownNow();
        }

        // then: one 201, nineteen 409, and the log holds the one account the 201 named
        Map<Integer, Long> byStatus = answers.stream().collect(Collectors.groupingBy(HttpResponse::statusCode, Collectors.counting()));
        assertEquals(Map.of(201, 1L, 409, 19L), byStatus, () -> answers.stream().map(HttpResponse::body).toList().toString());
        String winner = accountIdOf(answers.stream().filter(a -> a.statusCode() == 201).findFirst().orElseThrow());
        assertEquals(List.of(winner), openedWith(number));
    }

    @Test
    void shouldAnswerTheFirstOutcomeWhenAnOpenWithANumberIsRetriedWithItsIdempotencyKey() throws Exception {
        // given
        String number = newNumber();
        String key = "open-" + UUID.randomUUID();
        HttpResponse<String> first = open(number, Map.of("Idempotency-Key", key));

        // when
        HttpResponse<String> retry = open(number, Map.of("Idempotency-Key", key));
        HttpResponse<String> otherKey = open(number, Map.of("Idempotency-Key", key + "-other"));

        // then
        assertEquals(201, first.statusCode(), first.body());
        assertEquals(201, retry.statusCode(), retry.body());
        assertEquals(accountIdOf(first), accountIdOf(retry));
        assertEquals(409, otherKey.statusCode(), otherKey.body());
        assertEquals(List.of(accountIdOf(first)), openedWith(number));
    }

    @Test
    void shouldAnswerTheFirstRefusalWhenAKeyedOpenOfATakenNumberIsRetriedAfterTheNumberWasFreed() throws Exception {
        // given: a number held PENDING by another account's open (reserved over the internal API, as an instance does)
        String number = newNumber();
        String holder = UUID.randomUUID().toString();
        String holderOpen = UUID.randomUUID().toString();
        CommandResult reserved = internal("/internal/account-numbers", numberStep(AccountNumberAction.RESERVE, number, holder, holderOpen));
        assertEquals(CommandOutcome.ACCEPTED, reserved.getOutcome(), () -> "" + reserved);
        String key = "taken-" + UUID.randomUUID();
        HttpResponse<String> first = open(number, Map.of("Idempotency-Key", key));

        // when: the holder's open fails and releases the number, then the first open is retried with its key
        CommandResult released = internal("/internal/account-numbers", numberStep(AccountNumberAction.RELEASE, number, holder, holderOpen));
        assertEquals("released", released.getDetail(), () -> "" + released);
        HttpResponse<String> retry = open(number, Map.of("Idempotency-Key", key));

        // then: the retry answers the first outcome, word for word, and opens nothing
        assertEquals(409, first.statusCode(), first.body());
        assertEquals(409, retry.statusCode(), retry.body());
        JsonNode firstProblem = JSON.readTree(first.body());
        assertEquals("/problems/account-number-taken", firstProblem.path("type").asText(), first.body());
        assertEquals(firstProblem, JSON.readTree(retry.body()));
        String refusedCommand = firstProblem.path("commandId").asText();
        assertFalse(refusedCommand.isEmpty(), first.body());
        assertEquals(List.of(), TestEventLog.events().stream()
                .filter(event -> event.getCommandId().equals(refusedCommand)).toList());
        assertEquals(List.of(), openedWith(number));
        // and the number is free for an open that did not see it taken
        HttpResponse<String> other = open(number, Map.of("Idempotency-Key", key + "-other"));
        assertEquals(201, other.statusCode(), other.body());
        assertEquals(List.of(accountIdOf(other)), openedWith(number));
    }

    @Test
    void shouldKeepTheNumberOfAClosedAccount() throws Exception {
        // given: an account opened with a number and closed
        String number = newNumber();
        String closed = accountIdOf(post("/accounts", "{\"owner\":\"Ada Lovelace\",\"currency\":\"EUR\",\"initialDeposit\":\"0\","
                + "\"accountNumber\":\"" + number + "\"}", Map.of()));
        HttpResponse<String> close = post("/accounts/" + closed + "/close", "", Map.of());
        assertEquals(200, close.statusCode(), close.body());

        // when: the lease is long over
        Thread.sleep(Duration.ofSeconds(LEASE_SECONDS + 1).toMillis());
        HttpResponse<String> reuse = open(number, Map.of());

        // then
        assertEquals(409, reuse.statusCode(), reuse.body());
        assertEquals(List.of(closed), openedWith(number));
    }

    @Test
    void shouldReserveGeneratedNumbersAsWell() throws Exception {
        // given: an account opened without a number: it got EVBK + the first 12 hex digits of its id
        HttpResponse<String> generated = post("/accounts",
                "{\"owner\":\"Ada Lovelace\",\"currency\":\"EUR\",\"initialDeposit\":\"1\"}", Map.of());
        assertEquals(201, generated.statusCode(), generated.body());
        String account = accountIdOf(generated);
        String number = ((AccountOpened) TestEventLog.eventsOf(account).get(0).getPayload()).getAccountNumber();
        assertEquals("EVBK" + account.replace("-", "").substring(0, 12).toUpperCase(Locale.ROOT), number);

        // when: a teller gives that number, or one of that form, to an open
        HttpResponse<String> copy = open(number, Map.of());
        String unopened = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        HttpResponse<String> squatted = open("evbk-" + unopened, Map.of());

        // then: refused before anything is reserved (a 409 for the copy; the second, generated from the id of a keyed
        // open not made yet, made that open a 409 for good when it came)
        for (HttpResponse<String> refused : List.of(copy, squatted)) {
            assertEquals(400, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("has the form of a generated number"), refused.body());
        }
        assertEquals(List.of(account), openedWith(number));
    }

    @Test
    void shouldGiveTheNumberOfAnOpenThatNeverHappenedToAnotherAccountAndRefuseThatOpenForGood() throws Exception {
        // given: an open whose instance reserved the number and crashed before sending the open (the reservation is
        // made here as that instance made it, over the internal API)
        String number = newNumber();
        String crashed = UUID.randomUUID().toString();
        String crashedKey = "crashed-" + crashed;
        BankAccountCommand crashedOpen = BankAccountCommand.newBuilder()
                // a keyed command's id, as every instance derives it from the account id and the key
                .setCommandId(UUID.nameUUIDFromBytes(("command:" + crashed + ":" + crashedKey)
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString())
                .setAccountId(crashed)
                .setExpectedVersion(null)
                .setCorrelationId("corr-crashed")
                .setIdempotencyKey(crashedKey)
                .setFingerprint("fp-crashed")
                .setIssuedAt(Instant.now())
                .setPayload(new OpenAccount(number, "Crashed Open", "EUR", AvroDecimals.toWire(BigDecimal.ONE), null, null, null))
                .build();
        CommandResult reserved = internal("/internal/account-numbers", toBytes(AccountNumberCommand.newBuilder()
                .setCommandId(UUID.randomUUID().toString())
                .setAction(AccountNumberAction.RESERVE)
                .setAccountNumber(number)
                .setAccountId(crashed)
                .setOpenCommandId(crashedOpen.getCommandId())
                .setOpenFingerprint(crashedOpen.getFingerprint())
                .setReplaces(null)
                .setCorrelationId("corr-crashed")
                .setIssuedAt(Instant.now())
                .build().toByteBuffer()));
        assertEquals(CommandOutcome.ACCEPTED, reserved.getOutcome(), () -> "" + reserved);
        HttpResponse<String> withinLease = open(number, Map.of());

        // when: the lease is over
        Thread.sleep(Duration.ofSeconds(LEASE_SECONDS + 1).toMillis());
        HttpResponse<String> afterLease = open(number, Map.of());
        // and the crashed instance's open arrives after all
        CommandResult late = internal("/internal/commands", toBytes(crashedOpen.toByteBuffer()));

        // then: refused while the open might still come; then the number went to the new account, and the late open
        // is refused for good (the new account's open first made sure of that)
        assertEquals(409, withinLease.statusCode(), withinLease.body());
        assertEquals(201, afterLease.statusCode(), afterLease.body());
        assertEquals(CommandOutcome.REJECTED, late.getOutcome(), () -> "" + late);
        assertEquals("ACCOUNT_NUMBER_TAKEN", late.getRejectionCode());
        assertEquals(List.of(), TestEventLog.eventsOf(crashed));
        assertEquals(List.of(accountIdOf(afterLease)), openedWith(number));
    }

    private static HttpResponse<String> open(String number, Map<String, String> headers) throws Exception {
        return post("/accounts", "{\"owner\":\"Ada Lovelace\",\"currency\":\"EUR\",\"initialDeposit\":\"10\","
                + "\"accountNumber\":\"" + number + "\"}", headers);
    }

    /** A number no other test uses, as a client would write it (with spaces). */
    private static String newNumber() {
        String digits = UUID.randomUUID().toString().replace("-", "").substring(0, 16).toUpperCase(Locale.ROOT);
        return "NL" + digits.substring(0, 2) + " " + digits.substring(2, 8) + " " + digits.substring(8);
    }

    private static String accountIdOf(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body()).path("accountId").asText();
    }

    private static CommandResult internal(String path, byte[] body) throws Exception {
        HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create(url(path)))
                .timeout(Duration.ofSeconds(30)).header("Authorization", TELLER).header("Content-Type", AVRO).header("Accept", AVRO)
                .header(TestInstances.HEADER, TestInstances.header())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode(), () -> new String(response.body()));
        return CommandResult.fromByteBuffer(ByteBuffer.wrap(response.body()));
    }

    private static byte[] numberStep(AccountNumberAction action, String number, String accountId, String openCommandId)
            throws Exception {
        return toBytes(AccountNumberCommand.newBuilder()
                .setCommandId(UUID.randomUUID().toString())
                .setAction(action)
                .setAccountNumber(number)
                .setAccountId(accountId)
                .setOpenCommandId(openCommandId)
                .setOpenFingerprint("fp-" + openCommandId)
                .setReplaces(null)
                .setCorrelationId("corr-" + openCommandId)
                .setIssuedAt(Instant.now())
                .build().toByteBuffer());
    }

    private static byte[] toBytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    private static HttpResponse<String> post(String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path)))
                .timeout(Duration.ofSeconds(30)).header("Authorization", TELLER)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
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

    /** The ids of the accounts whose AccountOpened carries {@code number} (compared as the service compares them). */
    private static List<String> openedWith(String number) {
        String key = canonical(number);
        return TestEventLog.events().stream()
                .filter(e -> e.getPayload() instanceof AccountOpened opened && canonical(opened.getAccountNumber()).equals(key))
                .map(BankAccountEvent::getAggregateId)
                .toList();
    }

    private static String canonical(String number) {
        return number.replace(" ", "").replace("-", "").toUpperCase(Locale.ROOT);
    }
}
