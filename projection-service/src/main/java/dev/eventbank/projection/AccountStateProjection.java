package dev.eventbank.projection;

import dev.eventbank.schemas.catalog.Stores;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.schemas.serde.SchemaRegistryException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    }

    /** Adds the projection (source, store, processor, two sinks) to {@code builder}. */
    public static void build(StreamsBuilder builder, SchemaRegistryClient registry) {
        Serde<AccountState> stateSerde = AvroSerdes.value(AccountState.class, registry);
        Deserializer<BankAccountEvent> eventDeserializer = AvroSerdes.value(BankAccountEvent.class, registry).deserializer();

        // the state store the fold reads and writes; its changelog makes it fault tolerant
        builder.addStateStore(org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
                org.apache.kafka.streams.state.Stores.persistentKeyValueStore(Stores.ACCOUNT_STATE),
                Serdes.String(), stateSerde));

        // the event log as raw bytes: decoding happens in the processor, where a failure can be dead-lettered
        KStream<String, Output> outputs = builder
                .stream(Topics.EVENTS.name(), Consumed.with(Serdes.String(), Serdes.ByteArray())
                        .withName("bank-account-events-source"))
                .process(() -> new FoldProcessor(eventDeserializer), Named.as("account-state-fold"), Stores.ACCOUNT_STATE);

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
                .noDefaultBranch();
    }

    /** Decodes one event, folds it into the store and emits the new state, or dead-letters the record. */
    static final class FoldProcessor extends ContextualProcessor<String, byte[], String, Output> {

        private final Deserializer<BankAccountEvent> deserializer;
        private KeyValueStore<String, AccountState> store;

        FoldProcessor(Deserializer<BankAccountEvent> deserializer) {
            this.deserializer = deserializer;
        }

        @Override
        public void init(ProcessorContext<String, Output> context) {
            super.init(context);
            store = context.getStateStore(Stores.ACCOUNT_STATE);
        }

        @Override
        public void process(Record<String, byte[]> record) {
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
            if (record.key() == null || !record.key().equals(event.getAggregateId())) {
                deadLetter(record, new UnprocessableEventException("record key " + record.key()
                        + " does not match aggregateId " + event.getAggregateId()));
                return;
            }
            AccountStateView.Fold fold = AccountStateView.evolve(store.get(record.key()), event);
            if (fold instanceof AccountStateView.Fold.Applied applied) {
                store.put(record.key(), applied.state());
                // the event's headers describe the event, not the state
                context().forward(record.withValue((Output) new Output.StateChanged(applied.state()))
                        .withHeaders(new RecordHeaders()));
            } else if (fold instanceof AccountStateView.Fold.AlreadyApplied skipped) {
                LOG.debug("event already applied accountId={} version={} storedVersion={}",
                        record.key(), event.getVersion(), skipped.storedVersion());
            } else if (fold instanceof AccountStateView.Fold.Rejected rejected) {
                deadLetter(record, new UnprocessableEventException(rejected.reason()));
            } else {
                throw new IllegalStateException("unhandled fold " + fold);
            }
        }

        private void deadLetter(Record<String, byte[]> record, Exception error) {
            RecordMetadata source = context().recordMetadata().orElseThrow();
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
