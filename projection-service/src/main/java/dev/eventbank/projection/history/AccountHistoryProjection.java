package dev.eventbank.projection.history;

import dev.eventbank.projection.pipeline.AppliedEvent;
import dev.eventbank.projection.pipeline.ProjectionOutput;
import dev.eventbank.projection.pipeline.ReadModel;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * The account history read model's projection: each applied event goes into {@code account-history-store} with
 * {@link AccountHistoryView#evolve} (Kafka has no per-key index: this store is it). Publishes nothing; the history is
 * read through {@link AccountTimeline}. One instance per stream task.
 */
public final class AccountHistoryProjection implements ReadModel {

    /** Per-account event history: key {@code <accountId>:<19-digit version>}, value the event's wire bytes. */
    public static final String STORE = "account-history-store";

    private KeyValueStore<String, byte[]> store;

    /** The store; its changelog makes it fault tolerant. */
    public static StoreBuilder<KeyValueStore<String, byte[]>> store() {
        return org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
                org.apache.kafka.streams.state.Stores.persistentKeyValueStore(STORE), Serdes.String(), Serdes.ByteArray());
    }

    @Override
    public void init(ProcessorContext<String, ProjectionOutput> context) {
        store = context.getStateStore(STORE);
    }

    @Override
    public void apply(AppliedEvent applied) {
        AccountHistoryView.Entry entry = AccountHistoryView.evolve(applied.event(), applied.wire());
        store.put(entry.key(), entry.wire());
    }

    @Override
    public String name() {
        return "account-history";
    }
}
