package dev.eventbank.projection.snapshots;

import dev.eventbank.projection.history.HistoryKeys;
import dev.eventbank.projection.pipeline.AppliedEvent;
import dev.eventbank.projection.pipeline.ProjectionOutput;
import dev.eventbank.projection.pipeline.Publishing;
import dev.eventbank.projection.pipeline.ReadModel;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.readmodel.AccountSnapshot;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;

/**
 * The snapshot read model's projection: on each applied event {@link Snapshots#evolve} decides, by the
 * {@link Snapshots.Policy}, whether the account's new state is snapshotted; a snapshot goes to
 * {@code account-snapshot-store} (every snapshot, by account and version: time travel starts from the nearest one)
 * and, while publishing, to the compacted {@code bank-account-snapshots} topic. One instance per stream task.
 */
public final class SnapshotProjection implements ReadModel {

    /** Every snapshot taken, per account and version (the compacted topic keeps only the latest per account). */
    public static final String STORE = "account-snapshot-store";

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotProjection.class);

    private final Snapshots.Policy policy;
    private final Publishing publishing;
    private ProcessorContext<String, ProjectionOutput> context;
    private KeyValueStore<String, AccountSnapshot> store;

    public SnapshotProjection(Snapshots.Policy policy, Publishing publishing) {
        this.policy = policy;
        this.publishing = publishing;
    }

    /** The store, keyed like the history ({@link HistoryKeys}); its changelog makes it fault tolerant. */
    public static StoreBuilder<KeyValueStore<String, AccountSnapshot>> store(Serde<AccountSnapshot> snapshotSerde) {
        return org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
                org.apache.kafka.streams.state.Stores.persistentKeyValueStore(STORE), Serdes.String(), snapshotSerde);
    }

    /** Writes the forwarded snapshots to the compacted snapshot topic. */
    public static void publish(KStream<String, AccountSnapshot> snapshots, Serde<AccountSnapshot> snapshotSerde) {
        snapshots.to(Topics.SNAPSHOTS.name(), Produced.with(Serdes.String(), snapshotSerde)
                .withName("bank-account-snapshots-sink"));
    }

    @Override
    public void init(ProcessorContext<String, ProjectionOutput> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
    }

    @Override
    public void apply(AppliedEvent applied) {
        String accountId = applied.accountId();
        AccountSnapshot snapshot = Snapshots.evolve(policy, applied.after(),
                policy.byTime() ? lastSnapshotAt(accountId) : null, applied.partition(), applied.offset());
        if (snapshot == null) {
            return;
        }
        store.put(HistoryKeys.key(accountId, snapshot.getVersion()), snapshot);
        LOG.debug("snapshot taken accountId={} version={} partition={} offset={}", accountId, snapshot.getVersion(),
                applied.partition(), applied.offset());
        if (publishing.enabled()) {
            context.forward(applied.output(new ProjectionOutput.SnapshotTaken(snapshot)));
        }
    }

    /** {@code updatedAt} of the account's latest snapshot, null if it has none. */
    private Instant lastSnapshotAt(String accountId) {
        try (var latest = store.reverseRange(HistoryKeys.first(accountId), HistoryKeys.last(accountId))) {
            return latest.hasNext() ? latest.next().value.getUpdatedAt() : null;
        }
    }

    /**
     * Forwards the latest snapshot of each account this task holds: the store keeps every snapshot keyed by account,
     * then version ({@link HistoryKeys}), so one ordered scan meets each account's latest last.
     */
    @Override
    public long republish(long now) {
        long count = 0;
        AccountSnapshot latest = null;
        try (KeyValueIterator<String, AccountSnapshot> all = store.all()) {
            while (all.hasNext()) {
                AccountSnapshot snapshot = all.next().value;
                if (latest != null && !latest.getAccountId().equals(snapshot.getAccountId())) {
                    forward(latest, now);
                    count++;
                }
                latest = snapshot;
            }
        }
        if (latest != null) {
            forward(latest, now);
            count++;
        }
        return count;
    }

    private void forward(AccountSnapshot snapshot, long now) {
        context.forward(new Record<>(snapshot.getAccountId(), new ProjectionOutput.SnapshotTaken(snapshot), now));
    }

    @Override
    public String name() {
        return "account-snapshots";
    }
}
