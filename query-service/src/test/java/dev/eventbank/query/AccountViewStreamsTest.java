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
        // given: the projection's settings in an environment every service shares
        ConfiguredStreamBuilder other = new ConfiguredStreamBuilder(new Properties(), "projection", Duration.ofSeconds(1));

        ConfigurationException refused = assertThrows(ConfigurationException.class,
                () -> AccountViewStreams.requireTheView(other));

        assertTrue(refused.getMessage().startsWith("kafka.streams.projection configures a Kafka Streams app this "
                + "service does not have"), refused.getMessage());
        assertTrue(refused.getMessage().contains("KAFKA_STREAMS_PROJECTION_*"), refused.getMessage());
        assertDoesNotThrow(() -> AccountViewStreams.requireTheView(
                new ConfiguredStreamBuilder(new Properties(), AccountViewStreams.VIEW, Duration.ofSeconds(1))));
    }
}
