package dev.eventbank.projection.pipeline;

import dev.eventbank.projection.history.AccountHistoryProjection;
import dev.eventbank.projection.snapshots.SnapshotProjection;
import dev.eventbank.projection.snapshots.Snapshots;
import dev.eventbank.projection.state.AccountStateProjection;
import dev.eventbank.projection.totals.BankTotalsProjection;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.readmodel.AccountSnapshot;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.readmodel.BankTotals;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

import java.util.List;

/**
 * The read side's one Kafka Streams topology: {@code bank-account-events} into the four read models, each in its own
 * package with its own evolve function, in one processor and so one exactly-once transaction per commit:
 * <ol>
 *   <li>account state ({@link AccountStateProjection}): {@code account-state-store}, published to the compacted
 *       {@code bank-account-state} topic; its fold decides which events the others see;</li>
 *   <li>history ({@link AccountHistoryProjection}): {@code account-history-store}, read for timelines and time
 *       travel;</li>
 *   <li>bank totals ({@link BankTotalsProjection}): a delta per applied event, summed through a one-key repartition
 *       topic into {@code bank-totals-store} and published to the compacted {@code bank-totals} topic;</li>
 *   <li>snapshots ({@link SnapshotProjection}): {@code account-snapshot-store} and the compacted
 *       {@code bank-account-snapshots} topic.</li>
 * </ol>
 * The plumbing they share (decoding, dead letters, the MDC, progress, the publishing gate and the re-publish at a
 * rebuild's switch) is {@link EventFoldProcessor}. Framework-free: a Micronaut factory only wires it.
 *
 * <p>Why one processor rather than one sub-topology per read model: the history, snapshots and totals must follow
 * exactly the events the state applied, and one processor reads each record once, decodes it once and commits every
 * store and topic together; separate consumers of the log would each decode it and could disagree after a failure.
 *
 * <p>The log is consumed as raw bytes and decoded inside the processor, so no record can stop the projection: a record
 * that is not our wire format, names an unknown schema id, cannot be resolved to our schema, or cannot be applied
 * without guessing (version gap, unknown account) goes unchanged, same key, to {@code bank-account-events-dlq} with
 * {@link DeadLetterHeaders} saying why, and the projection moves on. Re-delivered events (version at or below the
 * stored one) change nothing.
 *
 * <p>A generation being rebuilt from the log runs this topology with its {@link Publishing} gate closed: it fills
 * every store (and the totals) but writes nothing to the state, snapshot, totals or dead-letter topics until the
 * switch; then each fold task re-publishes the current state and the latest snapshot of its accounts once, and the
 * task holding the totals re-publishes them once.
 *
 * <p>Limits: once an account has a dead-lettered event its later events are dead-lettered too (gap) until the cause
 * is fixed and the projection is rebuilt from the log.
 */
public final class ReadSideTopology {

    /** Snapshots every {@value #DEFAULT_SNAPSHOT_EVERY} events of an account unless configured otherwise. */
    public static final int DEFAULT_SNAPSHOT_EVERY = 100;

    private ReadSideTopology() {
    }

    /** {@link #build(StreamsBuilder, SchemaRegistryClient, int)} with the default snapshot interval. */
    public static void build(StreamsBuilder builder, SchemaRegistryClient registry) {
        build(builder, registry, DEFAULT_SNAPSHOT_EVERY);
    }

    /**
     * Adds the read side (source, stores, processor, sinks, bank totals) to {@code builder}.
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
        build(builder, registry, snapshotPolicy, progress, publishing, CommitPacing.NEVER);
    }

    /**
     * As above; fresh events ask for commits ({@link CommitPacing}): at once after a pause in the event stream, else
     * at the fresh pace, so that their new state is readable without waiting for Kafka Streams' (backlog) commit
     * interval.
     */
    public static void build(StreamsBuilder builder, SchemaRegistryClient registry, Snapshots.Policy snapshotPolicy,
                             LogProgress progress, Publishing publishing, CommitPacing pacing) {
        Serde<AccountState> stateSerde = AvroSerdes.value(AccountState.class, registry);
        Serde<AccountSnapshot> snapshotSerde = AvroSerdes.value(AccountSnapshot.class, registry);
        Serde<BankTotals> totalsSerde = AvroSerdes.value(BankTotals.class, registry);
        Deserializer<BankAccountEvent> eventDeserializer = AvroSerdes.value(BankAccountEvent.class, registry).deserializer();

        // the stores the fold processor writes; their changelogs make them fault tolerant
        builder.addStateStore(AccountStateProjection.store(stateSerde));
        builder.addStateStore(AccountHistoryProjection.store());
        builder.addStateStore(SnapshotProjection.store(snapshotSerde));

        // the event log as raw bytes: decoding happens in the processor, where a failure can be dead-lettered
        KStream<String, ProjectionOutput> outputs = builder
                .stream(Topics.EVENTS.name(), Consumed.with(Serdes.String(), Serdes.ByteArray())
                        .withName("bank-account-events-source"))
                .process(() -> new EventFoldProcessor(eventDeserializer, progress, publishing, pacing,
                                new AccountStateProjection(publishing),
                                List.of(new AccountHistoryProjection(), new BankTotalsProjection(),
                                        new SnapshotProjection(snapshotPolicy, publishing))),
                        Named.as("account-state-fold"),
                        AccountStateProjection.STORE, AccountHistoryProjection.STORE, SnapshotProjection.STORE);

        // each kind of output to the sink of its read model
        outputs.split(Named.as("account-state-"))
                .branch((key, output) -> output instanceof ProjectionOutput.StateChanged, Branched.withConsumer(states ->
                        AccountStateProjection.publish(states.mapValues(output -> ((ProjectionOutput.StateChanged) output).state(),
                                Named.as("account-state-unwrap")), stateSerde), "published"))
                .branch((key, output) -> output instanceof ProjectionOutput.DeadLetter, Branched.withConsumer(rejects -> rejects
                        .mapValues(output -> ((ProjectionOutput.DeadLetter) output).value(), Named.as("dead-letter-unwrap"))
                        .to(Topics.EVENTS_DLQ.name(), Produced.with(Serdes.String(), Serdes.ByteArray()).withName("dlq-sink")),
                        "dead-lettered"))
                .branch((key, output) -> output instanceof ProjectionOutput.SnapshotTaken, Branched.withConsumer(snapshots ->
                        SnapshotProjection.publish(snapshots.mapValues(output -> ((ProjectionOutput.SnapshotTaken) output).snapshot(),
                                Named.as("snapshot-unwrap")), snapshotSerde), "snapshots"))
                .branch((key, output) -> output instanceof ProjectionOutput.TotalsChanged, Branched.withConsumer(deltas ->
                        BankTotalsProjection.sum(deltas, totalsSerde, publishing, pacing), "totals"))
                .noDefaultBranch();
    }
}
