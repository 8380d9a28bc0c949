package dev.eventbank.command.writer;

import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.commands.AccountAggregate;
import dev.eventbank.schemas.commands.RecentCommand;
import dev.eventbank.schemas.events.BankAccountEvent;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Brings a partition's {@link PartitionState} up to date with what is committed in Kafka, after its writer's
 * {@code initTransactions} fenced the previous owner (so nothing more of it can commit):
 * <ol>
 *   <li>a new state starts from the partition's local checkpoint file when there is one
 *   ({@link PartitionSnapshotFile});</li>
 *   <li>{@code bank-account-aggregates} and {@code bank-account-command-outcomes} from where the state last read
 *   them (the start of the topic for a new state) to their last stable offset, read_committed;</li>
 *   <li>the event log from the checkpoint the aggregates carry ({@link Topics#EVENTS_CHECKPOINT_HEADER}) to its
 *   end, folding in every event the aggregates do not have yet ({@link EventFold}). Normally these are only the
 *   last transaction's own events, already folded in; on a log written before the aggregates topic existed it is
 *   the whole partition, once.</li>
 * </ol>
 * Nothing is ever looked up in the event log by key. Logs one line per topic read, with counts and time, and a
 * progress line every 5 s on a long restore.
 */
final class PartitionRestore {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionRestore.class);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

    private PartitionRestore() {
    }

    /**
     * Reads what {@code state} does not have yet; blocks until done. Answers the ids of the accounts whose
     * aggregate changed by folding in events the aggregates topic did not cover (empty normally): the writer
     * writes those aggregates back, so that the next restore does not fold the same events again.
     */
    static java.util.Set<String> restore(PartitionState state, WriterSettings settings) {
        java.util.Set<String> foldedAccounts = new java.util.HashSet<>();
        long start = System.nanoTime();
        int partition = state.partition;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000,
                // the last fetch often returns only a commit marker: do not let it wait 500 ms for more data
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10,
                // a position below the log start (bank-account-command-outcomes is deleted by time, so a new state's
                // offset 0 is gone after the retention) reads from the first record left, not from the end
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.CLIENT_ID_CONFIG, settings.transactionalIdPrefix() + "-restore-" + partition),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition aggregates = new TopicPartition(Topics.AGGREGATES.name(), partition);
            TopicPartition outcomes = new TopicPartition(Topics.COMMAND_OUTCOMES.name(), partition);
            TopicPartition events = new TopicPartition(Topics.EVENTS.name(), partition);
            Instant now = settings.clock().instant();
            long[] read = new long[2];
            consumer.assign(List.of(aggregates, outcomes));
            boolean fromFile = false;
            if (settings.stateDir() != null && state.aggregatesPosition == 0 && state.aggregates.isEmpty()) {
                Map<TopicPartition, Long> ends = consumer.endOffsets(List.of(aggregates, outcomes));
                fromFile = PartitionSnapshotFile.load(PartitionSnapshotFile.path(settings.stateDir(),
                                settings.transactionalIdPrefix(), partition), state, ends.get(aggregates), ends.get(outcomes),
                        now, settings.idempotencyWindow());
            }
            consumer.seek(aggregates, state.aggregatesPosition);
            consumer.seek(outcomes, state.outcomesPosition);
            // keep only the latest bytes per key while reading and decode each key once at the end: before
            // compaction the topics hold one record per change, most of them replaced by a later one
            Map<String, byte[]> latestAggregates = new java.util.HashMap<>();
            Map<String, byte[]> latestOutcomes = new java.util.HashMap<>();
            readToEnd(consumer, List.of(aggregates, outcomes), "aggregates and outcomes", partition, record -> {
                if (record.topic().equals(aggregates.topic())) {
                    read[0]++;
                    latestAggregates.put(record.key(), record.value());
                    Header checkpoint = record.headers().lastHeader(Topics.EVENTS_CHECKPOINT_HEADER);
                    if (checkpoint != null) {
                        state.eventsCheckpoint = Math.max(state.eventsCheckpoint,
                                Long.parseLong(new String(checkpoint.value(), StandardCharsets.US_ASCII)));
                    }
                } else {
                    read[1]++;
                    latestOutcomes.put(record.key(), record.value());
                }
            });
            latestAggregates.forEach((accountId, bytes) -> {
                if (bytes == null) {
                    state.aggregates.remove(accountId);
                } else {
                    state.aggregates.put(accountId, settings.aggregates().deserializer().deserialize(aggregates.topic(), bytes));
                }
            });
            latestOutcomes.forEach((commandId, bytes) -> {
                RecentCommand outcome = bytes == null ? null
                        : settings.outcomes().deserializer().deserialize(outcomes.topic(), bytes);
                if (outcome == null || CommandHandler.expired(outcome, now, settings.idempotencyWindow())) {
                    state.outcomes.remove(commandId);
                } else {
                    state.outcomes.put(commandId, outcome);
                }
            });
            state.aggregatesPosition = consumer.position(aggregates);
            state.outcomesPosition = consumer.position(outcomes);
            long stateRead = System.nanoTime();

            long[] folded = new long[2];
            consumer.assign(List.of(events));
            consumer.seek(events, state.eventsCheckpoint);
            readToEnd(consumer, List.of(events), "events after the checkpoint", partition, record -> {
                folded[0]++;
                BankAccountEvent event = settings.events().deserializer().deserialize(events.topic(), record.value());
                AccountAggregate before = state.aggregates.get(record.key());
                AccountAggregate after = EventFold.apply(before, event);
                if (after != before) {
                    folded[1]++;
                    state.aggregates.put(record.key(), after);
                    foldedAccounts.add(record.key());
                } else if (event.getVersion() > (before == null ? 0 : before.getVersion()) + 1) {
                    LOG.error("event log gap partition={} accountId={} version={} aggregateVersion={}", partition,
                            record.key(), event.getVersion(), before == null ? 0 : before.getVersion());
                }
            });
            state.eventsCheckpoint = consumer.position(events);
            LOG.info("partition restored partition={} fromLocalFile={} accounts={} outcomes={} aggregateRecordsRead={} "
                            + "outcomeRecordsRead={} eventsRead={} eventsFolded={} stateMs={} eventsMs={}", partition, fromFile,
                    state.aggregates.size(),
                    state.outcomes.size(), read[0], read[1], folded[0], folded[1],
                    (stateRead - start) / 1_000_000, (System.nanoTime() - stateRead) / 1_000_000);
        }
        return foldedAccounts;
    }

    private static void readToEnd(KafkaConsumer<String, byte[]> consumer, List<TopicPartition> partitions, String what,
                                  int partition, java.util.function.Consumer<ConsumerRecord<String, byte[]>> handler) {
        // read_committed: the end offsets are the last stable offsets, and nothing of ours is open
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        long nextProgress = System.nanoTime() + PROGRESS_EVERY.toNanos();
        while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                handler.accept(record);
            }
            if (System.nanoTime() > nextProgress) {
                nextProgress = System.nanoTime() + PROGRESS_EVERY.toNanos();
                for (TopicPartition tp : partitions) {
                    LOG.info("partition restoring partition={} reading=\"{}\" topic={} position={} end={}", partition,
                            what, tp.topic(), consumer.position(tp), ends.get(tp));
                }
            }
        }
    }
}
