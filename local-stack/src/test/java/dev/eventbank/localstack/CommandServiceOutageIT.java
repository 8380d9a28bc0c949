package dev.eventbank.localstack;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command service while the schema registry, then the broker, is away, on one command-side stack: the registry
 * first (its case needs a service that has just started), the broker last (it is killed at the end). Both found by
 * stopping them under the running local stack.
 *
 * <p>Registry: an outage after the service started does not reach its writers. Before, the first deposit with an
 * {@code Idempotency-Key} (the first record of the command outcomes' schema), the first withdrawal and the first close
 * after a start were answered 503, their transactions failing to register a schema, though once a schema's id is
 * known the registry is not needed; the writers now register their schemas at start (the ids stay cached). Limits:
 * the account is opened before the registry stops (that registers the events' subject anyway); a service started
 * while the registry is away still needs it at each schema's first use.
 *
 * <p>Broker: readiness says so, clients get a 503 they can act on within the reply timeout, with no internals in its
 * detail, the service recovers by itself, and its log does not fill with the Kafka clients' reconnect lines or stack
 * traces. Before, {@code /health} stayed UP for minutes with the broker killed (every command answered 503 after 5 s
 * meanwhile), because after the first settled assignment nothing in readiness asked the broker and idle writers stay
 * READY; and each of the service's 14 Kafka clients logged two WARN lines a second (4049 lines in 2.5 min). The
 * broker is frozen (SIGSTOP) with no command in flight, so no writer fails a transaction that would turn readiness
 * DOWN by itself: only asking the broker does. Then it is resumed, then killed (SIGKILL) for the log. Limits: one
 * broker, one instance; the broker is not restarted after the kill (the stack's close ends the test). What other
 * services report during an outage is in the README, not here.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CommandServiceOutageIT {

    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(5);
    /** Readiness answers from the writers' group as last read (at most once a second, a read giving up after 3 s); polled with room for a slow machine. */
    private static final Duration NOTICE_WITHIN = Duration.ofSeconds(30);
    private static final Duration RECOVER_WITHIN = Duration.ofSeconds(90);

    private static LocalStack stack;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startStack() throws IOException {
        stack = LocalStack.startCommandSide(TestStacks.home(), TestStacks.dataDir("CommandServiceOutageIT"),
                StackPorts.free(), 3, Map.of(), System.out);
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void shouldAcceptEveryKindOfCommandWhileTheRegistryIsAway() throws Exception {
        CommandClient commands = new CommandClient(Duration.ofSeconds(30));
        String account = stack.commandUrl() + "/accounts/" + commands.open(stack.commandUrl(), "Grace Hopper", "0");

        stack.stopService("schema-registry");
        try {
            CommandClient.Answer deposit = commands.post(account + "/deposits", "{\"amount\":\"5\"}",
                    Map.of("Idempotency-Key", "registry-outage-1"));
            assertEquals(200, deposit.status(), deposit.body().toString());
            CommandClient.Answer withdrawal = commands.post(account + "/withdrawals", "{\"amount\":\"5\"}");
            assertEquals(200, withdrawal.status(), withdrawal.body().toString());
            CommandClient.Answer closed = commands.post(account + "/close", "{}");
            assertEquals(200, closed.status(), closed.body().toString());
            assertEquals(4, closed.version());
            CommandClient.Answer other = commands.post(stack.commandUrl() + "/accounts",
                    "{\"owner\":\"Ada Lovelace\",\"currency\":\"EUR\",\"initialDeposit\":\"1\"}");
            assertEquals(201, other.status(), other.body().toString());
        } finally {
            stack.startService("schema-registry");
        }
    }

    @Test
    @Order(2)
    void shouldReportDownAnswer503AndRecoverWhileTheBrokerIsAwayWithoutFloodingTheLog() throws Exception {
        CommandClient commands = new CommandClient(Duration.ofSeconds(30));
        String deposits = stack.commandUrl() + "/accounts/" + commands.open(stack.commandUrl(), "Grace Hopper", "10")
                + "/deposits";
        assertEquals(200, health().statusCode());
        long broker = stack.pids().get("kafka");

        // when: the broker frozen, nothing in flight
        signal("STOP", broker);
        try {
            HttpResponse<String> down = awaitHealth(503, NOTICE_WITHIN);
            assertTrue(down.body().contains("\"brokerReachable\":false"), down.body());

            long sentAt = System.nanoTime();
            CommandClient.Answer during = commands.post(deposits, "{\"amount\":\"5\"}", Map.of("Idempotency-Key", "outage-1"));
            Duration took = Duration.ofNanos(System.nanoTime() - sentAt);
            assertEquals(503, during.status(), during.body().toString());
            // outcome unknown, or "not applied" when its writer's deadline for deciding it passed first
            assertTrue(List.of("/problems/outcome-unknown", "/problems/unavailable")
                    .contains(during.body().path("type").asText()), during.body().toString());
            // the detail is for the client: no broker error, class name or address of ours (NotCommittedException)
            String detail = during.body().path("detail").asText();
            for (String internal : List.of("Exception", "org.apache", "127.0.0.1", "localhost", "http://")) {
                assertFalse(detail.contains(internal), "internals in the detail: " + detail);
            }
            assertTrue(took.compareTo(REPLY_TIMEOUT.plusSeconds(5)) < 0, "answered after " + took);
        } finally {
            signal("CONT", broker);
        }

        // then: UP again by itself, and the command's retry with its key applies it once
        awaitHealth(200, RECOVER_WITHIN);
        CommandClient.Answer retried = retryUntilAnswered(commands, deposits, "outage-1");
        assertEquals(200, retried.status(), retried.body().toString());
        assertEquals(2, retried.version(), "the deposit during the outage applied at most once, now exactly once");

        // when: the broker killed; then: DOWN, and the clients' reconnect attempts do not reach the log
        long logBefore = Files.size(stack.logFile("command-service"));
        signal("KILL", broker);
        awaitHealth(503, NOTICE_WITHIN);
        Thread.sleep(15_000);
        byte[] log = Files.readAllBytes(stack.logFile("command-service"));
        String during = new String(log, (int) logBefore, log.length - (int) logBefore, java.nio.charset.StandardCharsets.UTF_8);
        List<String> reconnectLines = during.lines().filter(line -> line.contains("NetworkClient")).toList();
        assertTrue(reconnectLines.isEmpty(), reconnectLines.size() + " NetworkClient lines in 15 s, the first: "
                + reconnectLines.stream().findFirst().orElse(""));
        // before: about 27 lines a second; what is left is our own lines (lookup failed, writers stopping, restarting)
        assertTrue(during.lines().count() < 100, "the outage logged " + during.lines().count() + " lines in 15 s:\n" + during);
        // the broker's absence is no fault of the service: one line each, no stack trace (a writer that cannot start
        // while the broker is away logged one per partition and attempt)
        assertTrue(during.lines().noneMatch(line -> line.startsWith("\tat ")), "a stack trace in the outage's log:\n" + during);
    }

    /** After a broker outage the first command may still meet a writer that is restarting: 503 until it is back. */
    private static CommandClient.Answer retryUntilAnswered(CommandClient commands, String url, String key)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + RECOVER_WITHIN.toNanos();
        CommandClient.Answer answer;
        do {
            answer = commands.post(url, "{\"amount\":\"5\"}", Map.of("Idempotency-Key", key));
        } while (answer.status() == 503 && System.nanoTime() < deadline && sleep(1000));
        return answer;
    }

    private HttpResponse<String> awaitHealth(int status, Duration within) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        HttpResponse<String> last = health();
        while (last.statusCode() != status && System.nanoTime() < deadline) {
            Thread.sleep(500);
            last = health();
        }
        assertEquals(status, last.statusCode(), "command-service /health after " + within + ": " + last.body());
        return last;
    }

    private HttpResponse<String> health() throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(stack.commandUrl() + "/health"))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void signal(String signal, long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + signal + " " + pid
                + " failed: " + new String(kill.getInputStream().readAllBytes()).trim());
    }

    private static boolean sleep(long millis) throws InterruptedException {
        Thread.sleep(millis);
        return true;
    }
}
