package dev.eventbank.projection;

import dev.eventbank.schemas.catalog.Stores;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.readmodel.AccountSnapshot;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.readmodel.BankTotals;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.schemas.serde.SchemaRegistryException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * The account state projection: folds {@code bank-account-events} into the {@code account-state-store} with
 * {@link AccountStateView#evolve} and publishes every new state to the compacted {@code bank-account-state}
 * topic. Framework-free: a Micronaut factory only wires it.
 *
 * <p>The log is consumed as raw bytes and decoded inside the processor, so no record can stop the projection:
 * a record that is not our wire format, names an unknown schema id, cannot be resolved to our schema, or cannot
 * be applied without guessing (version gap, unknown account) goes unchanged, same key, to
 * {@code bank-account-events-dlq} with {@link DeadLetterHeaders} saying why, and the projection moves on.
 * Re-delivered events (version at or below the stored one) change nothing.
 *
 * <p>In the same step (one exactly-once transaction) each applied event is also written to the per-account
 * {@code account-history-store} (key {@link HistoryKeys}, value the event's wire bytes), every
 * N-th version of an account (or, if configured, its first event T after its last snapshot) is snapshotted to the {@code account-snapshot-store} and the
 * compacted {@code bank-account-snapshots} topic ({@link Snapshots}), and the event's change to the bank-wide
 * totals goes, through a one-key repartition topic, to the {@code bank-totals-store} and the compacted
 * {@code bank-totals} topic ({@link BankTotalsView}). Only applied events do any of this, so a re-delivery
 * changes no store, topic or total.
 *
 * <p>A generation being rebuilt from the log runs this topology with its {@link Publishing} gate closed: it
 * fills every store (and the totals) but writes nothing to the state, snapshot, totals or dead-letter topics
 * until the switch; then each fold task re-publishes the current state and the latest snapshot of its accounts
 * once, and the task holding the totals re-publishes them once (wall-clock punctuations on their stream threads).
 *
 * <p>Every log line written while a record is handled (applied, skipped, dead-lettered, snapshotted) carries the
 * event's {@code correlationId}, {@code commandId}, {@code accountId}, {@code eventId} and {@code version} in the
 * MDC ({@link EventMdc}), so it can be joined with the REST call and the command that caused the event.
 *
 * <p>Limits: a schema registry that cannot be reached (or answers 5xx) is not the record's fault, so that error
 * is rethrown rather than dead-lettered: the stream thread fails and is replaced, and the record is retried from
 * the last commit. Once an account has a dead-lettered event its later events are dead-lettered too (gap) until
 * the cause is fixed and the projection is rebuilt from the log.
 */
public final class AccountStateProjection {

    /** Value of the {@code dlq.projection} header. */
    public static final String NAME = "account-state";

    private static final Logger LOG = LoggerFactory.getLogger(AccountStateProjection.class);

    private AccountStateProjection() {
    }

    /** What the fold emits: a new state for the state topic, or the untouched input for the dead-letter topic. */
    sealed interface Output {

        record StateChanged(AccountState state) implements Output {
        }

        record DeadLetter(byte[] value) implements Output {
        }

        record SnapshotTaken(AccountSnapshot snapshot) implements Output {
        }

        /** What the event changed in the bank-wide totals (a delta in the totals' own shape). */
        record TotalsChanged(BankTotals delta) implements Output {
        }
    }

    /** Snapshots every {@value #DEFAULT_SNAPSHOT_EVERY} events of an account unless configured otherwise. */
    public static final int DEFAULT_SNAPSHOT_EVERY = 100;

    /** {@link #build(StreamsBuilder, SchemaRegistryClient, int)} with the default snapshot interval. */
    public static void build(StreamsBuilder builder, SchemaRegistryClient registry) {
        build(builder, registry, DEFAULT_SNAPSHOT_EVERY);
    }

    /**
     * Adds the projection (source, stores, processor, sinks, bank totals) to {@code builder}.
     *
     * @param snapshotEvery a snapshot of an account is taken when its version is a multiple of this (0 = never)
     */
    public static void build(StreamsBuilder builder, SchemaRegistryClient registry, int snapshotEvery) {
        build(builder, registry, Snapshots.Policy.everyEvents(snapshotEvery), LogProgress.NONE);
    }

    /**
     * As above with a full snapshot policy (by count and/or by event time), reporting each processed record's
     * partition and timestamp to {@code progress} (for lag in ms).
     */
    public static void build(StreamsBuilder builder, SchemaRegistryClient registry, Snapshots.Policy snapshotPolicy,
                             LogProgress progress) {
        build(builder, registry, snapshotPolicy, progress, Publishing.ALWAYS);
    }

    /**
     * As above, writing to the public topics (state, snapshots, totals, dead letters) only while
     * {@code publishing} is enabled: a generation being rebuilt builds its stores without replaying the log to
     * other teams' consumers (see {@link Publishing}).
     */
    public static void build(StreamsBuilder builder, SchemaRegistryClient registry, Snapshots.Policy snapshotPolicy,
                             LogProgress progress, Publishing publishing) {
        build(builder, registry, snapshotPolicy, progress, publishing, CommitAfterPause.NEVER);
    }

    /**
     * As above; an event that follows a pause in the event stream asks for a commit at once ({@link CommitAfterPause}),
     * so that on a quiet system its new state is readable without waiting for the commit interval.
     */
    static void build(StreamsBuilder builder, SchemaRegistryClient registry, Snapshots.Policy snapshotPolicy,
                      LogProgress progress, Publishing publishing, CommitAfterPause commitAfterPause) {
        Serde<AccountState> stateSerde = AvroSerdes.value(AccountState.class, registry);
        Serde<AccountSnapshot> snapshotSerde = AvroSerdes.value(AccountSnapshot.class, registry);
        Serde<BankTotals> totalsSerde = AvroSerdes.value(BankTotals.class, registry);
        Deserializer<BankAccountEvent> eventDeserializer = AvroSerdes.value(BankAccountEvent.class, registry).deserializer();

        // the state store the fold reads and writes; its changelog makes it fault tolerant
        builder.addStateStore(org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
                org.apache.kafka.streams.state.Stores.persistentKeyValueStore(Stores.ACCOUNT_STATE),
                Serdes.String(), stateSerde));
        // the per-account history (Kafka has no per-key index: this store is it), value = the event's wire bytes
        builder.addStateStore(org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
                org.apache.kafka.streams.state.Stores.persistentKeyValueStore(ReadSideNames.ACCOUNT_HISTORY_STORE),
                Serdes.String(), Serdes.ByteArray()));
        // every snapshot taken, by account and version: time travel starts from the nearest one
        builder.addStateStore(org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
                org.apache.kafka.streams.state.Stores.persistentKeyValueStore(ReadSideNames.ACCOUNT_SNAPSHOT_STORE),
                Serdes.String(), snapshotSerde));

        // the event log as raw bytes: decoding happens in the processor, where a failure can be dead-lettered
        KStream<String, Output> outputs = builder
                .stream(Topics.EVENTS.name(), Consumed.with(Serdes.String(), Serdes.ByteArray())
                        .withName("bank-account-events-source"))
                .process(() -> new FoldProcessor(eventDeserializer, snapshotPolicy, progress, publishing, commitAfterPause), Named.as("account-state-fold"),
                        Stores.ACCOUNT_STATE, ReadSideNames.ACCOUNT_HISTORY_STORE, ReadSideNames.ACCOUNT_SNAPSHOT_STORE);

        // new states to the compacted state topic, rejects to the dead-letter topic
        outputs.split(Named.as("account-state-"))
                .branch((key, output) -> output instanceof Output.StateChanged, Branched.withConsumer(states -> states
                        .mapValues(output -> ((Output.StateChanged) output).state(), Named.as("account-state-unwrap"))
                        .to(Topics.STATE.name(), Produced.with(Serdes.String(), stateSerde).withName("bank-account-state-sink")),
                        "published"))
                .branch((key, output) -> output instanceof Output.DeadLetter, Branched.withConsumer(rejects -> rejects
                        .mapValues(output -> ((Output.DeadLetter) output).value(), Named.as("dead-letter-unwrap"))
                        .to(Topics.EVENTS_DLQ.name(), Produced.with(Serdes.String(), Serdes.ByteArray()).withName("dlq-sink")),
                        "dead-lettered"))
                .branch((key, output) -> output instanceof Output.SnapshotTaken, Branched.withConsumer(snapshots -> snapshots
                        .mapValues(output -> ((Output.SnapshotTaken) output).snapshot(), Named.as("snapshot-unwrap"))
                        .to(Topics.SNAPSHOTS.name(), Produced.with(Serdes.String(), snapshotSerde).withName("bank-account-snapshots-sink")),
                        "snapshots"))
                .branch((key, output) -> output instanceof Output.TotalsChanged, Branched.withConsumer(deltas -> deltas
                        // all deltas to one key (one partition): the totals are one record, summed in one place
                        .map((key, output) -> KeyValue.pair(ReadSideNames.BANK_TOTALS_KEY, ((Output.TotalsChanged) output).delta()),
                                Named.as("bank-totals-rekey"))
                        .groupByKey(Grouped.with("bank-totals-deltas", Serdes.String(), totalsSerde))
                        .reduce(BankTotalsView::plus, Named.as("bank-totals-sum"),
                                Materialized.<String, BankTotals, KeyValueStore<Bytes, byte[]>>as(ReadSideNames.BANK_TOTALS_STORE)
                                        .withKeySerde(Serdes.String()).withValueSerde(totalsSerde))
                        .toStream(Named.as("bank-totals-changes"))
                        // the totals store is always kept; only publishing them waits for the switch, which
                        // re-publishes the rebuilt totals once
                        .process(() -> new TotalsGate(publishing), Named.as("bank-totals-publish-gate"),
                                ReadSideNames.BANK_TOTALS_STORE)
                        .to(ReadSideNames.BANK_TOTALS_TOPIC, Produced.with(Serdes.String(), totalsSerde).withName("bank-totals-sink")),
                        "totals"))
                .noDefaultBranch();
    }

    /**
     * Passes the bank totals on to their topic while {@code publishing} is enabled. In a generation being rebuilt
     * it also re-publishes the totals in {@code bank-totals-store} once when the switch asks for it, on the stream
     * thread of the task that sums them (the totals have one key, so one task holds them; the others find nothing),
     * so the re-published totals are ordered with the next ones and commit in the same exactly-once transactions.
     */
    static final class TotalsGate extends ContextualProcessor<String, BankTotals, String, BankTotals> {

        private final Publishing publishing;
        private long republishesDone;
        private TimestampedKeyValueStore<String, BankTotals> totals;

        TotalsGate(Publishing publishing) {
            this.publishing = publishing;
        }

        @Override
        public void init(ProcessorContext<String, BankTotals> context) {
            super.init(context);
            totals = context.getStateStore(ReadSideNames.BANK_TOTALS_STORE);
            if (publishing != Publishing.ALWAYS) {
                republishesDone = publishing.republishRequests();
                context.schedule(Duration.ofMillis(500), PunctuationType.WALL_CLOCK_TIME, this::republishIfAsked);
            }
        }

        private void republishIfAsked(long now) {
            long requests = publishing.republishRequests();
            if (requests == republishesDone || !publishing.enabled()) {
                return;
            }
            republishesDone = requests;
            BankTotals current = ValueAndTimestamp.getValueOrNull(totals.get(ReadSideNames.BANK_TOTALS_KEY));
            if (current != null) {
                context().forward(new Record<>(ReadSideNames.BANK_TOTALS_KEY, current, now));
                LOG.info("bank totals re-published task={} eventsApplied={}", context().taskId(),
                        current.getEventsApplied());
            }
        }

        @Override
        public void process(Record<String, BankTotals> record) {
            if (publishing.enabled()) {
                context().forward(record);
            }
        }
    }

    /** Decodes one event, folds it into the store and emits the new state, or dead-letters the record. */
    static final class FoldProcessor extends ContextualProcessor<String, byte[], String, Output> {

        private final Deserializer<BankAccountEvent> deserializer;
        private final Snapshots.Policy snapshotPolicy;
        private final LogProgress progress;
        private final Publishing publishing;
        private final CommitAfterPause commitAfterPause;
        private long republishesDone;
        private KeyValueStore<String, AccountState> store;
        private KeyValueStore<String, byte[]> history;
        private KeyValueStore<String, AccountSnapshot> snapshots;

        FoldProcessor(Deserializer<BankAccountEvent> deserializer, Snapshots.Policy snapshotPolicy, LogProgress progress,
                      Publishing publishing, CommitAfterPause commitAfterPause) {
            this.deserializer = deserializer;
            this.snapshotPolicy = snapshotPolicy;
            this.progress = progress;
            this.publishing = publishing;
            this.commitAfterPause = commitAfterPause;
        }

        @Override
        public void init(ProcessorContext<String, Output> context) {
            super.init(context);
            store = context.getStateStore(Stores.ACCOUNT_STATE);
            history = context.getStateStore(ReadSideNames.ACCOUNT_HISTORY_STORE);
            snapshots = context.getStateStore(ReadSideNames.ACCOUNT_SNAPSHOT_STORE);
            if (publishing != Publishing.ALWAYS) {
                // a rebuilt generation re-publishes its accounts once at the switch: on this stream thread, so the
                // pass is ordered with the fold (no older state can overtake a newer one on the compacted topic)
                // and commits in the same exactly-once transactions
                republishesDone = publishing.republishRequests();
                context.schedule(Duration.ofMillis(500), PunctuationType.WALL_CLOCK_TIME, now -> republishIfAsked(now));
            }
        }

        private void republishIfAsked(long now) {
            long requests = publishing.republishRequests();
            if (requests == republishesDone || !publishing.enabled()) {
                return;
            }
            republishesDone = requests;
            long count = 0;
            try (KeyValueIterator<String, AccountState> all = store.all()) {
                while (all.hasNext()) {
                    KeyValue<String, AccountState> entry = all.next();
                    context().forward(new Record<String, Output>(entry.key, new Output.StateChanged(entry.value), now));
                    count++;
                }
            }
            long snapshotCount = republishLatestSnapshots(now);
            LOG.info("account states and snapshots re-published task={} accounts={} snapshots={}", context().taskId(),
                    count, snapshotCount);
        }

        /**
         * Forwards the latest snapshot of each account this task holds: the store keeps every snapshot keyed by
         * account, then version ({@link HistoryKeys}), so one ordered scan meets each account's latest last.
         */
        private long republishLatestSnapshots(long now) {
            long count = 0;
            AccountSnapshot latest = null;
            try (KeyValueIterator<String, AccountSnapshot> all = snapshots.all()) {
                while (all.hasNext()) {
                    AccountSnapshot snapshot = all.next().value;
                    if (latest != null && !latest.getAccountId().equals(snapshot.getAccountId())) {
                        forwardSnapshot(latest, now);
                        count++;
                    }
                    latest = snapshot;
                }
            }
            if (latest != null) {
                forwardSnapshot(latest, now);
                count++;
            }
            return count;
        }

        private void forwardSnapshot(AccountSnapshot snapshot, long now) {
            context().forward(new Record<String, Output>(snapshot.getAccountId(), new Output.SnapshotTaken(snapshot), now));
        }

        @Override
        public void process(Record<String, byte[]> record) {
            // the stream thread handles records one after the other: its log lines carry this record's ids, and the
            // scope takes them out again whatever happens (a rethrown registry error included)
            try (EventMdc mdc = EventMdc.ofKey(record.key())) {
                fold(record, mdc);
            }
            if (commitAfterPause.afterPause(record.timestamp(), context().currentSystemTimeMs())) {
                context().commit();
            }
        }

        private void fold(Record<String, byte[]> record, EventMdc mdc) {
            context().recordMetadata().ifPresent(source -> progress.processed(source.partition(), record.timestamp()));
            BankAccountEvent event;
            try {
                event = deserializer.deserialize(Topics.EVENTS.name(), record.value());
            } catch (RuntimeException e) {
                // the serde says SerializationException; anything else from decoding is the record's fault too
                if (isRegistryUnavailable(e)) {
                    throw e;
                }
                deadLetter(record, e);
                return;
            }
            if (event == null) {
                deadLetter(record, new UnprocessableEventException("null value (tombstone) in the event log"));
                return;
            }
            mdc.describe(event);
            if (record.key() == null || !record.key().equals(event.getAggregateId())) {
                deadLetter(record, new UnprocessableEventException("record key " + record.key()
                        + " does not match aggregateId " + event.getAggregateId()));
                return;
            }
            AccountState before = store.get(record.key());
            AccountStateView.Fold fold = AccountStateView.evolve(before, event);
            if (fold instanceof AccountStateView.Fold.Applied applied) {
                AccountState state = applied.state();
                store.put(record.key(), state);
                // history holds exactly the events the state reflects, so folding it always succeeds
                history.put(HistoryKeys.key(record.key(), event.getVersion()), record.value());
                LOG.debug("event applied accountId={} version={} eventType={}", record.key(), event.getVersion(),
                        event.getEventType());
                // the event's headers describe the event, not the state
                if (publishing.enabled()) {
                    context().forward(record.withValue((Output) new Output.StateChanged(state)).withHeaders(new RecordHeaders()));
                }
                context().forward(record.withValue((Output) new Output.TotalsChanged(BankTotalsView.delta(before, state)))
                        .withHeaders(new RecordHeaders()));
                if (snapshotPolicy.due(state, snapshotPolicy.byTime() ? lastSnapshotAt(record.key()) : null)) {
                    RecordMetadata source = context().recordMetadata().orElseThrow();
                    AccountSnapshot snapshot = Snapshots.of(state, source.partition(), source.offset());
                    snapshots.put(HistoryKeys.key(record.key(), state.getVersion()), snapshot);
                    LOG.debug("snapshot taken accountId={} version={} partition={} offset={}", record.key(),
                            state.getVersion(), source.partition(), source.offset());
                    if (publishing.enabled()) {
                        context().forward(record.withValue((Output) new Output.SnapshotTaken(snapshot))
                                .withHeaders(new RecordHeaders()));
                    }
                }
            } else if (fold instanceof AccountStateView.Fold.AlreadyApplied skipped) {
                LOG.debug("event already applied accountId={} version={} storedVersion={}",
                        record.key(), event.getVersion(), skipped.storedVersion());
            } else if (fold instanceof AccountStateView.Fold.Rejected rejected) {
                deadLetter(record, new UnprocessableEventException(rejected.reason()));
            } else {
                throw new IllegalStateException("unhandled fold " + fold);
            }
        }

        /** {@code updatedAt} of the account's latest snapshot, null if it has none. */
        private java.time.Instant lastSnapshotAt(String accountId) {
            try (var latest = snapshots.reverseRange(HistoryKeys.first(accountId), HistoryKeys.last(accountId))) {
                return latest.hasNext() ? latest.next().value.getUpdatedAt() : null;
            }
        }

        private void deadLetter(Record<String, byte[]> record, Exception error) {
            RecordMetadata source = context().recordMetadata().orElseThrow();
            if (!publishing.enabled()) {
                // the active generation dead-lettered this record already; a rebuild does not repeat it
                LOG.debug("event not dead-lettered again during a rebuild partition={} offset={} reason=\"{}\"",
                        source.partition(), source.offset(), error.getMessage());
                return;
            }
            LOG.warn("event dead-lettered projection={} topic={} partition={} offset={} key={} exception={} reason=\"{}\"",
                    NAME, source.topic(), source.partition(), source.offset(), record.key(),
                    error.getClass().getSimpleName(), error.getMessage());
            context().forward(record.withValue((Output) new Output.DeadLetter(record.value()))
                    .withHeaders(DeadLetterHeaders.of(record.headers(), error, source.topic(), source.partition(),
                            source.offset(), NAME)));
        }

        /** A registry that is down or failing is transient: retry the record rather than dead-letter it. */
        private static boolean isRegistryUnavailable(RuntimeException e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof SchemaRegistryException registryError) {
                    return registryError.httpStatus() < 0 || registryError.httpStatus() >= 500;
                }
            }
            return false;
        }
    }
}
