package dev.eventbank.support.streams;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stores an app hands out for interactive queries: none until it can serve (no broker needed: it never starts). */
class ManagedStreamsTest {

    @Test
    void shouldRefuseAStoreWhileTheAppIsNotRunning(@TempDir Path stateDir) {
        // given: an app with a store, created and not started (as one rebalancing or restoring, it cannot serve)
        StreamsBuilder builder = new StreamsBuilder();
        builder.table("in", Consumed.with(Serdes.String(), Serdes.String()), Materialized.as("store"));
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "managed-streams-test");
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1");
        properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        ManagedStreams streams = new ManagedStreams(builder.build(), properties, null);
        try {
            // when / then
            InvalidStateStoreException refused = assertThrows(InvalidStateStoreException.class, () -> streams.queryableStore(
                    StoreQueryParameters.fromNameAndType("store", QueryableStoreTypes.<String, String>keyValueStore())));
            assertTrue(refused.getMessage().contains("Kafka Streams is CREATED"), refused.getMessage());
        } finally {
            streams.kafkaStreams().close();
        }
    }
}
