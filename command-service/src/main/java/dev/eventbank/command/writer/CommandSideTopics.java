package dev.eventbank.command.writer;

import dev.eventbank.schemas.catalog.TopicSpec;
import dev.eventbank.schemas.catalog.Topics;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * The command side's topics ({@link Topics#COMMAND_SIDE}) as the cluster described them at start: their ids, which
 * the writers' checkpoint files record so that a file of another cluster is never loaded, and the partition count
 * they share (an account's aggregate and outcomes live in the same partition number as its events).
 *
 * @param ids               topic id by topic name, one per topic of {@link Topics#COMMAND_SIDE}
 * @param partitions        the partition count of every one of them
 * @param outcomesRetention how long {@code bank-account-command-outcomes} keeps a record (its {@code retention.ms};
 *                          null when unlimited)
 */
public record CommandSideTopics(Map<String, Uuid> ids, int partitions, Duration outcomesRetention) {

    public CommandSideTopics {
        ids = Map.copyOf(ids);
    }

    /** The same topics, with the outcomes topic's {@code retention.ms} as the cluster has it (-1: unlimited). */
    public CommandSideTopics withOutcomesRetention(long retentionMs) {
        return new CommandSideTopics(ids, partitions, retentionMs < 0 ? null : Duration.ofMillis(retentionMs));
    }

    /**
     * Refuses an idempotency window longer than the outcomes topic keeps its records: the outcomes older than the
     * retention would be gone for a writer that restores them from the topic (after a partition moves, or a
     * restart without its checkpoint file), and a retry within the window applied a second time.
     *
     * @throws IllegalStateException naming both durations and what to change
     */
    public void requireWithinOutcomesRetention(Duration idempotencyWindow) {
        if (outcomesRetention != null && idempotencyWindow.compareTo(outcomesRetention) > 0) {
            throw new IllegalStateException("eventbank.commands.idempotency-window is " + idempotencyWindow
                    + ", longer than " + Topics.COMMAND_OUTCOMES.name() + " keeps its records (retention.ms "
                    + outcomesRetention.toMillis() + ", " + outcomesRetention + "): a retry of a command older than that "
                    + "would be applied again after its partition moved. Raise the topic's retention.ms to the window "
                    + "or more, or shorten the window");
        }
    }

    /**
     * The outcomes topic's retention is the catalogue's until {@link #withOutcomesRetention} says what the cluster has.
     *
     * @param descriptions the cluster's descriptions by name, e.g. from {@code TopicProvisioner#ensure}
     * @throws IllegalStateException when a topic of {@link Topics#COMMAND_SIDE} is not described or their partition
     *     counts differ (then the newer ones must be recreated with the event log's count)
     */
    public static CommandSideTopics of(Map<String, TopicDescription> descriptions) {
        Map<String, Uuid> ids = new TreeMap<>();
        Map<String, Integer> counts = new TreeMap<>();
        for (TopicSpec spec : Topics.COMMAND_SIDE) {
            TopicDescription description = descriptions.get(spec.name());
            if (description == null) {
                throw new IllegalStateException("topic " + spec.name() + " was not described (got "
                        + descriptions.keySet() + ")");
            }
            ids.put(spec.name(), description.topicId());
            counts.put(spec.name(), description.partitions().size());
        }
        if (counts.values().stream().distinct().count() != 1) {
            throw new IllegalStateException("the command side's topics must have the same number of partitions, found "
                    + counts + "; recreate the newer ones with the event log's count");
        }
        return new CommandSideTopics(ids, counts.get(Topics.EVENTS.name()), null)
                .withOutcomesRetention(Long.parseLong(Topics.COMMAND_OUTCOMES.configs().get("retention.ms")));
    }
}
