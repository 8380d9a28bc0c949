package dev.eventbank.projection.rebuild;

import dev.eventbank.schemas.catalog.Topics;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/** Waiting, in rebuild tests, until a generation has committed offsets at the end of the log and of its totals hop. */
final class CaughtUp {

    private CaughtUp() {
    }

    /**
     * Returns once the consumer group {@code applicationId} has no lag on the event log and on its bank-totals
     * repartition topic; fails the test after {@code timeout}.
     */
    static void await(String bootstrapServers, String applicationId, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (GenerationAdmin admin = new GenerationAdmin(java.util.Map.of("bootstrap.servers", bootstrapServers))) {
            List<String> repartition = GenerationAdmin.repartitionTopics(List.of(applicationId + "-bank-totals-deltas-repartition"));
            while (!admin.lag(applicationId, Topics.EVENTS.name(), repartition).caughtUp()) {
                if (System.nanoTime() > deadline) {
                    fail(applicationId + " did not catch up within " + timeout);
                }
                Thread.sleep(200);
            }
        }
    }
}
