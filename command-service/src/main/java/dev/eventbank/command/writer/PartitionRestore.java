package dev.eventbank.command.writer;

import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.commands.AccountAggregate;
import dev.eventbank.schemas.commands.AccountNumberReservation;
import dev.eventbank.schemas.commands.RecentCommand;
import dev.eventbank.schemas.commands.ReservationStatus;
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
 *   <li>{@code bank-account-aggregates}, {@code bank-account-command-outcomes} and
 *   {@code bank-account-number-reservations} from where the state last read them (the start of the topic for a new
 *   state) to their last stable offset, read_committed;</li>
 *   <li>once per partition of the reservations topic, when it has no {@link Topics#NUMBERS_IMPORTED_KEY} record
 *   yet: the account numbers of the accounts opened before reservations existed, from every partition of the
 *   aggregates topic (the numbers hashing to this partition become CONFIRMED reservations, which the writer then
 *   writes with that marker), so that a new account cannot take an old account's number;</li>
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
     * What a restore found that the writer must write before it takes commands.
     *
     * @param foldedAccounts  the accounts whose aggregate changed by folding in events the aggregates topic did not
     *                        cover (empty normally): written back, so the next restore does not fold them again
     * @param importedNumbers null when the numbers were imported before; else the reservations learnt from the
     *                        aggregates (possibly none), to write with the {@link Topics#NUMBERS_IMPORTED_KEY} marker
     */
    record Restored(java.util.Set<String> foldedAccounts, Map<String, AccountNumberReservation> importedNumbers) {
    }

    /**
     * Reads what {@code state} does not have yet; blocks until done, or until {@code stopping} says so (checked
     * between polls: a writer revoked while it folds a long log stops within a poll).
     *
     * @throws RestoreStopped when {@code stopping} said so before the end; {@code state} is then partly restored
     */
    static Restored restore(PartitionState state, WriterSettings settings, java.util.function.BooleanSupplier stopping) {
        java.util.Set<String> foldedAccounts = new java.util.HashSet<>();
        long start = System.nanoTime();
        int partition = state.partition;
        Map<String, Object> config = settings.kafka().consumer(WriterSettings.RESTORE_CONSUMER, Map.of(
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000,
                // the last fetch often returns only a commit marker: do not let it wait 500 ms for more data
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10,
                // a position below the log start (bank-account-command-outcomes is deleted by time, so a new state's
                // offset 0 is gone after the retention) reads from the first record left, not from the end
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.CLIENT_ID_CONFIG, settings.transactionalIdPrefix() + "-restore-" + partition));
        // only committed events count, and positions are the restore's own (no group, nothing committed)
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config,
                new StringDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition aggregates = new TopicPartition(Topics.AGGREGATES.name(), partition);
            TopicPartition outcomes = new TopicPartition(Topics.COMMAND_OUTCOMES.name(), partition);
            TopicPartition reservations = new TopicPartition(Topics.NUMBER_RESERVATIONS.name(), partition);
            TopicPartition events = new TopicPartition(Topics.EVENTS.name(), partition);
            Instant now = settings.clock().instant();
            long[] read = new long[3];
            consumer.assign(List.of(aggregates, outcomes, reservations));
            boolean fromFile = false;
            if (settings.stateDir() != null && state.aggregatesPosition == 0 && state.aggregates.isEmpty()) {
                Map<TopicPartition, Long> ends = consumer.endOffsets(List.of(aggregates, outcomes, reservations));
                fromFile = PartitionSnapshotFile.load(PartitionSnapshotFile.path(settings.stateDir(),
                                settings.transactionalIdPrefix(), partition), state, settings.topicIds(),
                        ends.get(aggregates), ends.get(outcomes),
                        ends.get(reservations), now, settings.idempotencyWindow());
            }
            consumer.seek(aggregates, state.aggregatesPosition);
            consumer.seek(outcomes, state.outcomesPosition);
            consumer.seek(reservations, state.reservationsPosition);
            // keep only the latest bytes per key while reading and decode each key once at the end: before
            // compaction the topics hold one record per change, most of them replaced by a later one
            Map<String, byte[]> latestAggregates = new java.util.HashMap<>();
            Map<String, byte[]> latestOutcomes = new java.util.HashMap<>();
            Map<String, byte[]> latestReservations = new java.util.HashMap<>();
            readToEnd(consumer, List.of(aggregates, outcomes, reservations), "aggregates, outcomes and reservations", partition, stopping, record -> {
                if (record.topic().equals(aggregates.topic())) {
                    read[0]++;
                    latestAggregates.put(record.key(), record.value());
                    Header checkpoint = record.headers().lastHeader(Topics.EVENTS_CHECKPOINT_HEADER);
                    if (checkpoint != null) {
                        state.eventsCheckpoint = Math.max(state.eventsCheckpoint,
                                Long.parseLong(new String(checkpoint.value(), StandardCharsets.US_ASCII)));
                    }
                } else if (record.topic().equals(outcomes.topic())) {
                    read[1]++;
                    latestOutcomes.put(record.key(), record.value());
                } else {
                    read[2]++;
                    latestReservations.put(record.key(), record.value());
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
            latestReservations.forEach((number, bytes) -> {
                if (bytes == null) {
                    state.reservations.remove(number);
                } else {
                    state.reservations.put(number, settings.reservations().deserializer().deserialize(reservations.topic(), bytes));
                }
            });
            state.aggregatesPosition = consumer.position(aggregates);
            state.outcomesPosition = consumer.position(outcomes);
            state.reservationsPosition = consumer.position(reservations);
            Map<String, AccountNumberReservation> imported = state.reservations.containsKey(Topics.NUMBERS_IMPORTED_KEY)
                    ? null : importNumbers(consumer, state, settings, now, stopping);
            long stateRead = System.nanoTime();

            long[] folded = new long[2];
            consumer.assign(List.of(events));
            consumer.seek(events, state.eventsCheckpoint);
            readToEnd(consumer, List.of(events), "events after the checkpoint", partition, stopping, record -> {
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
            LOG.info("partition restored partition={} fromLocalFile={} accounts={} outcomes={} reservations={} "
                            + "aggregateRecordsRead={} outcomeRecordsRead={} reservationRecordsRead={} eventsRead={} "
                            + "eventsFolded={} stateMs={} eventsMs={}", partition, fromFile, state.aggregates.size(),
                    state.outcomes.size(), state.reservations.size(), read[0], read[1], read[2], folded[0], folded[1],
                    (stateRead - start) / 1_000_000, (System.nanoTime() - stateRead) / 1_000_000);
            return new Restored(foldedAccounts, imported);
        }
    }

    /**
     * The account numbers of existing accounts (every partition of the aggregates topic, to its last stable offset)
     * that hash to this partition and have no reservation yet, as CONFIRMED reservations; put into {@code state}
     * too. Numbers never change, so the first record of an account is enough. Two existing accounts with one number
     * (possible before numbers were unique) keep it both; the first one read holds the reservation.
     */
    private static Map<String, AccountNumberReservation> importNumbers(KafkaConsumer<String, byte[]> consumer,
                                                                       PartitionState state, WriterSettings settings,
                                                                       Instant now, java.util.function.BooleanSupplier stopping) {
        long start = System.nanoTime();
        int partition = state.partition;
        List<TopicPartition> all = consumer.partitionsFor(Topics.AGGREGATES.name()).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
        int partitions = all.size();
        consumer.assign(all);
        consumer.seekToBeginning(all);
        Map<String, AccountNumberReservation> imported = new java.util.HashMap<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        long[] counts = new long[2];
        readToEnd(consumer, all, "account numbers of existing accounts", partition, stopping, record -> {
            if (record.value() == null || !seen.add(record.key())) {
                return;
            }
            AccountAggregate aggregate = settings.aggregates().deserializer().deserialize(record.topic(), record.value());
            String key = AccountNumbers.key(aggregate.getAccountNumber());
            if (AccountPartitioner.partitionOf(key, partitions) != partition) {
                return;
            }
            AccountNumberReservation held = state.reservations.get(key);
            if (held != null) {
                // the first few by name, the rest counted in the summary line: legacy data may hold many
                if (!held.getAccountId().equals(aggregate.getAccountId()) && ++counts[1] <= 10) {
                    LOG.warn("duplicate account number in existing accounts partition={} accountNumber=\"{}\" "
                            + "accountId={} heldBy={}", partition, aggregate.getAccountNumber(), aggregate.getAccountId(),
                            held.getAccountId());
                }
                return;
            }
            counts[0]++;
            AccountNumberReservation reservation = AccountNumberReservation.newBuilder()
                    .setAccountNumber(aggregate.getAccountNumber())
                    .setAccountId(aggregate.getAccountId())
                    .setStatus(ReservationStatus.CONFIRMED)
                    .setCommandId(null)
                    .setFingerprint(null)
                    .setReservedAt(now.truncatedTo(java.time.temporal.ChronoUnit.MILLIS))
                    .build();
            state.reservations.put(key, reservation);
            imported.put(key, reservation);
        });
        LOG.info("account numbers imported partition={} accountsRead={} imported={} duplicates={} ms={}", partition,
                seen.size(), counts[0], counts[1], (System.nanoTime() - start) / 1_000_000);
        return imported;
    }

    private static void readToEnd(KafkaConsumer<String, byte[]> consumer, List<TopicPartition> partitions, String what,
                                  int partition, java.util.function.BooleanSupplier stopping,
                                  java.util.function.Consumer<ConsumerRecord<String, byte[]>> handler) {
        // read_committed: the end offsets are the last stable offsets, and nothing of ours is open
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        long nextProgress = System.nanoTime() + PROGRESS_EVERY.toNanos();
        while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
            if (stopping.getAsBoolean()) {
                throw new RestoreStopped("partition " + partition + " stopped while reading " + what);
            }
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

    /** The writer was asked to stop during its restore; what was read so far is in the state, the rest is not. */
    static final class RestoreStopped extends RuntimeException {
        RestoreStopped(String message) {
            super(message, null, false, false);
        }
    }
}
