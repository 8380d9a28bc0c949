package dev.eventbank.localstack;

import dev.eventbank.localkafka.LocalKafkaBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two command-service instances share the partitions; one is killed with SIGKILL under load (design invariants 2,
 * 3 and 5). Every command acknowledged with a 2xx and a version must be in the log at that version, every account's
 * versions must run 1..n without gap or duplicate, no command may have been applied twice, and the survivor must
 * answer for every account afterwards ({@link LogAudit} judges). Joining and leaving gracefully is
 * {@link CommandServiceJoinLeaveIT}'s, a frozen instance {@link CommandServiceZombieIT}'s.
 */
class CommandServiceFailoverIT {

    private static final int ACCOUNTS = 24;
    private static final int CLIENTS = 8;

    private static LocalStack stack;

    @BeforeAll
    static void startStack() throws IOException {
        stack = LocalStack.startCommandSide(TestStacks.home(), TestStacks.dataDir("CommandServiceFailoverIT"),
                StackPorts.free(), 6, Map.of(), System.out);
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldKeepEveryAcknowledgedCommandExactlyOnceWhenAnInstanceIsKilled() throws Exception {
        // given: two instances in one group, accounts spread over all partitions, both answering for every account
        ServiceProcess second = stack.startAnotherInstance("command-service", LocalKafkaBroker.freePort());
        List<String> instances = List.of(stack.commandUrl(), second.url());
        try (Deposits deposits = new Deposits("failover", Duration.ofSeconds(90), Duration.ofMinutes(3))) {
            List<String> accounts = deposits.openAccounts(stack.commandUrl(), ACCOUNTS);
            deposits.awaitAcknowledgedEverywhere(instances, accounts, Duration.ofSeconds(60));

            // when: load on both instances, the second killed after 5 s, load on for 7 s more
            long loadFrom = System.nanoTime();
            deposits.startClients(CLIENTS, accounts, () -> instances.get(ThreadLocalRandom.current().nextInt(instances.size())));
            Thread.sleep(5000);
            second.kill();
            Thread.sleep(7000);
            deposits.stopClients(Duration.ofSeconds(120));
            long loadTo = System.nanoTime();

            // then: once the survivor answers for every account, the log holds each acknowledged version exactly once
            deposits.awaitAcknowledgedEverywhere(List.of(stack.commandUrl()), accounts, Duration.ofSeconds(90));
            LogAudit audit = LogAudit.read(stack, accounts);
            long acknowledged = deposits.all().stream().filter(sent -> sent.acknowledged()
                    && sent.sentNanos() - loadFrom > 0 && loadTo - sent.sentNanos() > 0).count();
            System.out.printf("failover: %d commands acknowledged under load, outcomes %s (instance killed), log verified%n",
                    acknowledged, deposits.countByOutcome());
            audit.assertInvariants(accounts, deposits.all());
            assertTrue(acknowledged >= 20, "too little load to prove anything: " + acknowledged);
        } finally {
            second.close();
        }
    }
}
