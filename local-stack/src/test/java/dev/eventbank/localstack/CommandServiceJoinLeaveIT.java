package dev.eventbank.localstack;

import dev.eventbank.localkafka.LocalKafkaBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Instances join and leave under load without losing or doubling a command (issue 11, item 7; design invariants
 * 2 and 5). Several clients deposit through every running instance without pause while a second command-service
 * instance starts (partitions move to it), takes load, and is stopped gracefully (they move back). The judge is the
 * log read back read_committed ({@link LogAudit}): every 2xx names the version at which its own request's event
 * sits, every account's versions run 1..n without gap or duplicate, no request and no command is in the log twice,
 * every balance follows from the events before it. The crash of an instance is {@link CommandServiceFailoverIT}'s.
 *
 * <p>The load must keep being answered: the only refusal allowed is a 503 (not decided in time, retry), never a
 * 4xx or another 5xx for a deposit into an open account; how many requests got no 2xx is printed, not bounded,
 * since that is a matter of timing on a shared machine.
 *
 * <p>Limits: the test knows only the HTTP API and the log, so it cannot see which partitions moved, only that both
 * instances answered for every account; requests in flight to the leaving instance when it is stopped may get no
 * answer, which is allowed.
 */
class CommandServiceJoinLeaveIT {

    private static final int PARTITIONS = 6;
    private static final int ACCOUNTS = 24;
    private static final int CLIENTS = 6;
    private static final Duration MOVE_TIMEOUT = Duration.ofSeconds(60);

    private static LocalStack stack;

    @BeforeAll
    static void startStack() throws IOException {
        stack = LocalStack.startCommandSide(TestStacks.home(), TestStacks.dataDir("CommandServiceJoinLeaveIT"),
                StackPorts.free(), PARTITIONS, Map.of(), System.out);
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldKeepEveryAcknowledgedCommandExactlyOnceWhenAnInstanceJoinsAndLeavesUnderLoad() throws Exception {
        // given: one instance, accounts over all partitions, clients depositing through every running instance
        ServiceProcess first = stack.service("command-service");
        List<String> running = new CopyOnWriteArrayList<>(List.of(first.url()));
        try (Deposits deposits = new Deposits("join-leave", Duration.ofSeconds(30), Duration.ofMinutes(3))) {
            List<String> accounts = deposits.openAccounts(first.url(), ACCOUNTS);
            deposits.startClients(CLIENTS, accounts, () -> running.get(ThreadLocalRandom.current().nextInt(running.size())));
            Thread.sleep(2000);

            // when: a second instance joins under load and answers for every account
            ServiceProcess second = stack.startAnotherInstance("command-service", LocalKafkaBroker.freePort());
            long joinedAt = System.nanoTime();
            try {
                running.add(second.url());
                Thread.sleep(3000);
                deposits.awaitAcknowledgedByInstance(second.url(), accounts, joinedAt, MOVE_TIMEOUT);
                deposits.awaitAcknowledgedByInstance(first.url(), accounts, joinedAt, MOVE_TIMEOUT);

                // and leaves again under load (SIGTERM: it may hand its partitions over cleanly)
                running.remove(second.url());
            } finally {
                second.close();
            }
            long leftAt = System.nanoTime();
            Thread.sleep(3000);
            deposits.awaitAcknowledgedByInstance(first.url(), accounts, leftAt, MOVE_TIMEOUT);
            deposits.stopClients(Duration.ofSeconds(60));

            // then: the log agrees with every answer, and every refusal was a 503
            deposits.awaitAcknowledgedEverywhere(List.of(first.url()), accounts, Duration.ofSeconds(60));
            LogAudit audit = LogAudit.read(stack, accounts);
            Map<String, Long> outcomes = deposits.countByOutcome();
            long acknowledged = deposits.all().stream().filter(Deposits.Sent::acknowledged).count();
            System.out.printf("join and leave: %d of %d requests acknowledged, outcomes %s; %d events in the log, "
                            + "%d records of aborted transactions%n", acknowledged, deposits.all().size(), outcomes,
                    audit.eventCount(), EventLog.abortedRecords(stack));
            audit.assertInvariants(accounts, deposits.all());
            assertEquals(List.of(), deposits.all().stream()
                            .filter(sent -> sent.answered() && !sent.acknowledged() && sent.status() != 503)
                            .map(Deposits.Sent::toString).limit(10).toList(),
                    "answers other than 2xx and 503 to deposits into open accounts");
        }
    }
}
