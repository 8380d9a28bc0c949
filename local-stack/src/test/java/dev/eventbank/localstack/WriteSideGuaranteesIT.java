package dev.eventbank.localstack;

import dev.eventbank.localkafka.LocalKafkaBroker;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.events.MoneyWithdrawn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The write side's invariants, proven against the running system: a real broker, the registry and the
 * command service as its own JVM, driven over HTTP by concurrent clients, with the event log read back
 * read_committed as the judge. Idempotency over many commands is {@link IdempotencyWindowIT}'s; instances
 * crashing, joining, leaving and freezing are {@link CommandServiceFailoverIT}'s, {@link CommandServiceJoinLeaveIT}'s
 * and {@link CommandServiceZombieIT}'s.
 */
class WriteSideGuaranteesIT {

    private static final CommandClient COMMANDS = new CommandClient();

    private static LocalStack stack;

    @BeforeAll
    static void startStack() throws IOException {
        stack = LocalStack.startCommandSide(TestStacks.home(), TestStacks.dataDir("WriteSideGuaranteesIT"),
                StackPorts.free(), 3, Map.of(), System.out);
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldLetExactlyOneOfConcurrentWithdrawalsWithTheSameIfMatchSucceed() throws Exception {
        // given
        String account = open("1000.00");

        // when
        List<CommandClient.Answer> answers = concurrently(40, i ->
                post("/accounts/" + account + "/withdrawals", "{\"amount\":\"1.00\"}", Map.of("If-Match", "\"1\"")));

        // then
        Map<Integer, Long> byStatus = countByStatus(answers);
        assertEquals(Map.of(200, 1L, 409, 39L), byStatus, byStatus.toString());
        answers.stream().filter(a -> a.status() == 409).forEach(conflict ->
                assertEquals(2, conflict.body().path("currentVersion").asLong(),
                        conflict.body().toString()));
        assertEquals(List.of(1L, 2L), versionsOf(EventLog.eventsOf(stack, account)));
    }

    @Test
    void shouldNeverOverdrawUnderConcurrentUnconditionalWithdrawals() throws Exception {
        // given
        String account = open("99.00");

        // when
        List<CommandClient.Answer> answers = concurrently(150, i ->
                post("/accounts/" + account + "/withdrawals", "{\"amount\":\"1.00\"}", Map.of()));

        // then
        Map<Integer, Long> byStatus = countByStatus(answers);
        assertEquals(Map.of(200, 99L, 422, 51L), byStatus, byStatus.toString());
        List<BankAccountEvent> events = EventLog.eventsOf(stack, account);
        assertEquals(LogAudit.oneTo(100), versionsOf(events));
        for (BankAccountEvent event : events.subList(1, events.size())) {
            assertTrue(((MoneyWithdrawn) event.getPayload()).getBalanceAfter().signum() >= 0, event.toString());
        }
        assertEquals(0, BigDecimal.ZERO.compareTo(((MoneyWithdrawn) events.get(99).getPayload()).getBalanceAfter()));
    }

    @Test
    void shouldAnswerARetriedIdempotencyKeyWithTheFirstOutcomeAndAppendNothing() throws Exception {
        // given
        String account = open("10.00");
        CommandClient.Answer first = post("/accounts/" + account + "/deposits", "{\"amount\":\"5.00\"}",
                Map.of("Idempotency-Key", "deposit-" + account));

        // when
        CommandClient.Answer retry = post("/accounts/" + account + "/deposits", "{\"amount\":\"5.00\"}",
                Map.of("Idempotency-Key", "deposit-" + account));
        CommandClient.Answer reuse = post("/accounts/" + account + "/deposits", "{\"amount\":\"6.00\"}",
                Map.of("Idempotency-Key", "deposit-" + account));

        // then
        assertEquals(200, first.status(), first.body().toString());
        assertEquals(200, retry.status(), retry.body().toString());
        assertEquals(first.version(), retry.version());
        assertEquals(first.etag(), retry.etag());
        assertEquals(422, reuse.status(), reuse.body().toString());
        assertEquals(List.of(1L, 2L), versionsOf(EventLog.eventsOf(stack, account)));
    }

    @Test
    void shouldAnswerARetriedIdempotencyKeyWithTheFirstOutcomeAfterARestart() throws Exception {
        // given
        String account = open("10.00");
        String key = "restart-" + account;
        CommandClient.Answer first = post("/accounts/" + account + "/withdrawals", "{\"amount\":\"4.00\"}",
                Map.of("Idempotency-Key", key));

        // when
        stack.restartService("command-service");
        CommandClient.Answer retry = post("/accounts/" + account + "/withdrawals", "{\"amount\":\"4.00\"}",
                Map.of("Idempotency-Key", key));

        // then
        assertEquals(200, first.status(), first.body().toString());
        assertEquals(200, retry.status(), retry.body().toString());
        assertEquals(first.version(), retry.version());
        assertEquals(List.of(1L, 2L), versionsOf(EventLog.eventsOf(stack, account)));
    }

    @Test
    void shouldOpenExactlyOneAccountWhenOpensWithOneNumberRaceThroughTwoInstances() throws Exception {
        // given: a second instance shares the partitions (the number's reservation and the accounts spread over both)
        ServiceProcess second = stack.startAnotherInstance("command-service", LocalKafkaBroker.freePort());
        try {
            List<String> instances = List.of(stack.commandUrl(), second.url());
            String number = "NL99 RACE " + UUID.randomUUID().toString().substring(0, 8).toUpperCase(Locale.ROOT);

            // when: 20 clients open an account with that number at once, every other one through each instance
            List<CommandClient.Answer> answers = concurrently(20, i -> COMMANDS.post(instances.get(i % 2) + "/accounts",
                    "{\"owner\":\"Grace Hopper\",\"currency\":\"EUR\",\"initialDeposit\":\"1\",\"accountNumber\":\""
                            + number + "\"}", Map.of()));

            // then: one 201, nineteen 409 account-number-taken (naming no account: none was opened); the log holds
            // one AccountOpened with the number, the 201's, and nothing of the refused commands
            Map<Integer, Long> byStatus = countByStatus(answers);
            assertEquals(Map.of(201, 1L, 409, 19L), byStatus, answers.toString());
            String winner = answers.stream().filter(a -> a.status() == 201).findFirst().orElseThrow()
                    .body().path("accountId").asText();
            Set<String> refused = answers.stream().filter(a -> a.status() == 409).map(a -> {
                assertEquals("/problems/account-number-taken", a.body().path("type").asText(), a.body().toString());
                assertTrue(a.body().path("accountId").isMissingNode(), a.body().toString());
                return a.body().path("commandId").asText();
            }).collect(Collectors.toSet());
            assertEquals(19, refused.size());
            assertEquals(List.of(winner), EventLog.accountsOpenedWith(stack, number));
            assertEquals(List.of(), EventLog.eventsOfCommands(stack, refused));
        } finally {
            second.close();
        }
    }

    private static String open(String initialDeposit) throws Exception {
        return COMMANDS.open(stack.commandUrl(), "Grace Hopper", initialDeposit);
    }

    private static List<CommandClient.Answer> concurrently(int clients, IndexedCall call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<CommandClient.Answer>> futures = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int index = i;
                futures.add(pool.submit((Callable<CommandClient.Answer>) () -> {
                    start.await();
                    return call.apply(index);
                }));
            }
            start.countDown();
            List<CommandClient.Answer> answers = new ArrayList<>();
            for (Future<CommandClient.Answer> future : futures) {
                answers.add(future.get(180, TimeUnit.SECONDS));
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }

    @FunctionalInterface
    private interface IndexedCall {
        CommandClient.Answer apply(int index) throws Exception;
    }

    private static Map<Integer, Long> countByStatus(List<CommandClient.Answer> answers) {
        return answers.stream().collect(Collectors.groupingBy(CommandClient.Answer::status, Collectors.counting()));
    }

    private static List<Long> versionsOf(List<BankAccountEvent> events) {
        return LogAudit.versionsOf(events);
    }

    private static CommandClient.Answer post(String path, String body, Map<String, String> headers) throws Exception {
        return COMMANDS.post(stack.commandUrl() + path, body, headers);
    }

}
