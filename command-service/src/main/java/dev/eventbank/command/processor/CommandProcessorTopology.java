package dev.eventbank.command.processor;

import dev.eventbank.schemas.catalog.Stores;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.commands.AccountAggregate;
import dev.eventbank.schemas.commands.BankAccountCommand;
import dev.eventbank.schemas.commands.CommandResult;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * The command processor as a Kafka Streams topology (Processor API), no framework code:
 * <pre>
 *   bank-account-commands -> command-processor [account-aggregate-store] -> bank-account-events
 *                                                                        -> bank-account-command-results
 * </pre>
 * The store is changelogged (a compacted topic Kafka Streams creates), which is the write model's snapshot:
 * nothing ever reads the event log back to rebuild an account. Run it with processing.guarantee=exactly_once_v2.
 */
public final class CommandProcessorTopology {

    static final String SOURCE = "commands";
    static final String PROCESSOR = "command-processor";
    static final String EVENTS_SINK = "events";
    static final String RESULTS_SINK = "command-results";

    private CommandProcessorTopology() {
    }

    public static Topology build(SchemaRegistryClient registry) {
        StoreBuilder<KeyValueStore<String, AccountAggregate>> store = org.apache.kafka.streams.state.Stores
                .keyValueStoreBuilder(org.apache.kafka.streams.state.Stores.persistentKeyValueStore(Stores.ACCOUNT_AGGREGATE),
                        Serdes.String(), AvroSerdes.value(AccountAggregate.class, registry));
        Topology topology = new Topology();
        // commands keyed by account id, so each account's commands are decided in order by one task
        topology.addSource(SOURCE, Serdes.String().deserializer(),
                AvroSerdes.value(BankAccountCommand.class, registry).deserializer(), Topics.COMMANDS.name());
        topology.addProcessor(PROCESSOR, CommandProcessor::new, SOURCE);
        topology.addStateStore(store, PROCESSOR);
        topology.addSink(EVENTS_SINK, Topics.EVENTS.name(), Serdes.String().serializer(),
                AvroSerdes.value(BankAccountEvent.class, registry).serializer(), PROCESSOR);
        topology.addSink(RESULTS_SINK, Topics.COMMAND_RESULTS.name(), Serdes.String().serializer(),
                AvroSerdes.value(CommandResult.class, registry).serializer(), PROCESSOR);
        return topology;
    }
}
