package dev.eventbank.query;

import dev.eventbank.schemas.catalog.Stores;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.schemas.serde.SchemaRegistryException;
import dev.eventbank.support.text.TextRule;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import java.time.Duration;
import java.util.function.ObjLongConsumer;
import org.slf4j.LoggerFactory;

/**
 * The query service's view: the projection's compacted {@code bank-account-state} topic materialized into the
 * {@code account-view-store}, a Kafka Streams <em>global</em> store, so every query instance holds every
 * account and answers any id without routing to another instance. Framework-free.
 *
 * <p>Next to each account with an owner the store holds its entry in the {@link OwnerIndex}, kept in step here, so
 * that a customer's listing reads only that customer's accounts.
 *
 * <p>Each put is told to {@code stored} (the {@code VersionWaiters}, which is how {@code minVersion} reads wait
 * without polling, and the {@link FreshFold}, which drops what the view has caught up with). The
 * store only moves forward: a state older than the stored one (e.g. while the projection is being rebuilt
 * from the log under a new application id) is ignored; a tombstone deletes the account.
 *
 * <p>Limits: each instance stores all accounts (disk and restore time grow with the account count); the view
 * lags the projection by the time the state needs to be committed and fetched.
 */
public final class AccountViewTopology {

    private static final Logger LOG = LoggerFactory.getLogger(AccountViewTopology.class);

    private AccountViewTopology() {
    }

    /** @param stored told of each state put into the view: its account id and version (on the global thread) */
    public static void build(StreamsBuilder builder, SchemaRegistryClient registry, ObjLongConsumer<String> stored) {
        Serde<AccountState> stateSerde = AvroSerdes.value(AccountState.class, registry);
        builder.addGlobalStore(
                org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
                                org.apache.kafka.streams.state.Stores.persistentKeyValueStore(Stores.ACCOUNT_VIEW),
                                Serdes.String(), stateSerde)
                        // a global store is restored from its source topic; it needs no changelog
                        .withLoggingDisabled(),
                Topics.STATE.name(),
                // decoded in the processor, not by the source: a registry that fails is waited for there, where a
                // deserialization handler could only skip the record (a valid state missing from the view) or stop
                // the view for good
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("bank-account-state-source"),
                () -> new ViewUpdater(stateSerde.deserializer(), stored));
    }

    /** Puts each state into the view, then wakes up the readers waiting for it. */
    static final class ViewUpdater implements Processor<String, byte[], Void, Void> {

        /** Longest pause between two tries of a state whose writer schema the registry did not give. */
        static final long MAX_REGISTRY_BACKOFF_MS = 5_000;
        /**
         * How long a state waits for a failing registry in all: then the view stops for good (the global thread
         * fails, liveness DOWN, a restart needed) rather than wait without end, which would also keep a stopping
         * service from closing its view.
         */
        static final Duration MAX_REGISTRY_WAIT = Duration.ofMinutes(10);

        private final Deserializer<AccountState> states;
        private final ObjLongConsumer<String> onStored;
        private KeyValueStore<String, AccountState> store;

        ViewUpdater(Deserializer<AccountState> states, ObjLongConsumer<String> onStored) {
            this.states = states;
            this.onStored = onStored;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(Stores.ACCOUNT_VIEW);
            long repaired = OwnerIndex.repair(store);
            if (repaired > 0) {
                LOG.info("owner index entries written at start entries={}", repaired);
            }
        }

        @Override
        public void process(Record<String, byte[]> raw) {
            if (raw.key() == null) {
                return;
            }
            Record<String, AccountState> record;
            try {
                record = raw.withValue(decode(raw.key(), raw.value()));
            } catch (RuntimeException undecodable) {
                if (SchemaRegistryException.registryFailed(undecodable)) {
                    // waited for as long as it may: the view stops here (the global thread fails, liveness goes DOWN)
                    // rather than go on without a valid state
                    throw undecodable;
                }
                // the record's own fault (not our wire format, a schema id the registry does not hold): as Kafka
                // Streams' LogAndContinue would, since no later record of another account depends on it
                LOG.warn("state record not decodable, skipped key=\"{}\" error=\"{}\"", TextRule.quote(raw.key(), 60),
                        undecodable.toString());
                return;
            }
            if (record.key().compareTo(OwnerIndex.ACCOUNTS_END) >= 0) {
                // not an account id (those sort before it): such a key would be read as an index entry
                LOG.warn("state with a key that is no account id ignored key=\"{}\"",
                        TextRule.quote(record.key(), 60));
                return;
            }
            if (record.value() == null) {
                OwnerIndex.deleted(store, store.delete(record.key()));
                return;
            }
            AccountState stored = store.get(record.key());
            if (stored != null && stored.getVersion() > record.value().getVersion()) {
                LOG.debug("older state ignored accountId={} version={} storedVersion={}",
                        record.key(), record.value().getVersion(), stored.getVersion());
                return;
            }
            store.put(record.key(), record.value());
            OwnerIndex.stored(store, stored, record.value());
            onStored.accept(record.key(), record.value().getVersion());
        }

        /**
         * The state in {@code value}, or null for a tombstone. While the registry fails for another reason than not
         * holding the schema id ({@link SchemaRegistryException#registryFailed}: unreachable, 5xx, 429, 401, 403), it
         * tries again, at most {@value #MAX_REGISTRY_BACKOFF_MS} ms apart, for up to {@link #MAX_REGISTRY_WAIT}: the view
         * stops where it is meanwhile (reads that need a newer version wait, then answer 503) rather than go on without
         * a valid state, and then fails. Only a state with a schema id not seen before asks the registry; the client keeps each id's schema.
         *
         * @throws RuntimeException when the record itself cannot be decoded, or the registry still failed after
         *                          {@link #MAX_REGISTRY_WAIT}
         */
        AccountState decode(String key, byte[] value) {
            long backoff = 100;
            long giveUp = System.nanoTime() + MAX_REGISTRY_WAIT.toNanos();
            for (int attempt = 1; ; attempt++) {
                try {
                    return states.deserialize(Topics.STATE.name(), value);
                } catch (RuntimeException e) {
                    if (!SchemaRegistryException.registryFailed(e) || System.nanoTime() - giveUp > 0) {
                        throw e;
                    }
                    if (attempt == 1 || attempt % 10 == 0) {
                        LOG.error("state record waits for the schema registry key=\"{}\" attempts={} error=\"{}\"",
                                TextRule.quote(key, 60), attempt, e.toString());
                    }
                    try {
                        Thread.sleep(backoff);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        throw e;
                    }
                    backoff = Math.min(backoff * 2, MAX_REGISTRY_BACKOFF_MS);
                }
            }
        }
    }
}
