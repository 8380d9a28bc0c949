package dev.eventbank.query;

import io.micronaut.configuration.kafka.streams.ConfiguredStreamBuilder;
import io.micronaut.context.exceptions.ConfigurationException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The view is the service's one Kafka Streams app, whatever names the configuration holds under {@code kafka.streams}. */
class AccountViewStreamsTest {

    @Test
    void shouldRefuseAKafkaStreamsAppOtherThanTheView() {
        ConfiguredStreamBuilder other = new ConfiguredStreamBuilder(new Properties(), "default-state", Duration.ofSeconds(1));

        ConfigurationException refused = assertThrows(ConfigurationException.class,
                () -> AccountViewStreams.requireTheView(other));

        assertTrue(refused.getMessage().contains("kafka.streams.default-state is not a Kafka Streams app"),
                refused.getMessage());
        assertTrue(refused.getMessage().contains("EVENTBANK_STREAMS_STATE_DIR"), refused.getMessage());
        assertDoesNotThrow(() -> AccountViewStreams.requireTheView(
                new ConfiguredStreamBuilder(new Properties(), AccountViewStreams.VIEW, Duration.ofSeconds(1))));
    }
}
