package dev.eventbank.projection.state;

import dev.eventbank.projection.pipeline.ProjectionOutput;
import dev.eventbank.projection.pipeline.Publishing;
import dev.eventbank.schemas.catalog.Stores;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.readmodel.AccountStateView;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * The account state read model's projection: folds each event into {@code account-state-store} with
 * {@link AccountStateView#evolve} and forwards every new state for the compacted {@code bank-account-state} topic.
 * It is the gate of the read side: only the events it applies reach the other read models, and what it rejects is
 * dead-lettered (by the fold processor, under the projection name {@link #NAME}). One instance per stream task.
 */
public final class AccountStateProjection {

    /** The projection's name in the {@code dlq.projection} header and in log lines. */
    public static final String NAME = "account-state";

    /** The latest state per account (the catalogue's name, shared with the interactive queries). */
    public static final String STORE = Stores.ACCOUNT_STATE;

    private final Publishing publishing;
    private ProcessorContext<String, ProjectionOutput> context;
    private KeyValueStore<String, AccountState> store;

    public AccountStateProjection(Publishing publishing) {
        this.publishing = publishing;
    }

    /** What one event did to the state: the state before it (null = unknown account) and the fold's outcome. */
    public record Folded(AccountState before, AccountStateView.Fold fold) {
    }

    /**
     * The store; its changelog makes it fault tolerant. Cached ({@code statestore.cache.max.bytes}, 10 MB by default):
     * an account changed several times between two commits writes one changelog record at the commit, not one per
     * event (a rebuild and a backlog commit once a second, see {@code CommitPacing}). The published state does not go
     * through the cache, so nothing waits for it; reads (the fold, interactive queries) see the cache.
     */
    public static StoreBuilder<KeyValueStore<String, AccountState>> store(Serde<AccountState> stateSerde) {
        return org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
                org.apache.kafka.streams.state.Stores.persistentKeyValueStore(STORE), Serdes.String(), stateSerde)
                .withCachingEnabled();
    }

    /** Writes the forwarded states to the compacted state topic. */
    public static void publish(KStream<String, AccountState> states, Serde<AccountState> stateSerde) {
        states.to(Topics.STATE.name(), Produced.with(Serdes.String(), stateSerde).withName("bank-account-state-sink"));
    }

    /** Takes the task's store; called once before any event. */
    public void init(ProcessorContext<String, ProjectionOutput> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
    }

    /**
     * Folds {@code event} into the stored state of {@code accountId}; an applied event is stored and, while
     * publishing, forwarded as {@link ProjectionOutput.StateChanged} stamped {@code timestamp} (the event's headers
     * describe the event, not the state, so the state goes without them).
     */
    public Folded fold(String accountId, BankAccountEvent event, long timestamp) {
        AccountState before = store.get(accountId);
        AccountStateView.Fold fold = AccountStateView.evolve(before, event);
        if (fold instanceof AccountStateView.Fold.Applied applied) {
            store.put(accountId, applied.state());
            if (publishing.enabled()) {
                context.forward(new Record<>(accountId, new ProjectionOutput.StateChanged(applied.state()), timestamp));
            }
        }
        return new Folded(before, fold);
    }

    /** Forwards the current state of every account this task holds, stamped {@code now}; says how many. */
    public long republish(long now) {
        long count = 0;
        try (KeyValueIterator<String, AccountState> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, AccountState> entry = all.next();
                context.forward(new Record<>(entry.key, new ProjectionOutput.StateChanged(entry.value), now));
                count++;
            }
        }
        return count;
    }
}
