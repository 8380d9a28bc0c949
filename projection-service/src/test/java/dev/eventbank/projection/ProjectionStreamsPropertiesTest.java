package dev.eventbank.projection;

import dev.eventbank.support.kafka.KafkaClients;
import io.micronaut.configuration.kafka.config.KafkaDefaultConfiguration;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.Environment;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What {@code kafka.streams.projection.*} may and may not change in every generation's Kafka Streams properties, read
 * through a real Micronaut context as the service reads them.
 */
class ProjectionStreamsPropertiesTest {

    @Test
    void shouldLetTheConfigurationTuneTheAppButNotItsExactlyOnceOrStaticMembership() {
        // the environment only: the service's own beans would start the projection
        try (ApplicationContext context = ApplicationContext.builder().properties(Map.of(
                "kafka.bootstrap.servers", "broker-1:9092",
                "kafka.streams.projection.num.stream.threads", 2,
                "kafka.streams.projection.commit.interval.ms", 50,
                "kafka.streams.projection.processing.guarantee", "at_least_once",
                "kafka.streams.projection.main.consumer.group.instance.id", "shared-by-every-instance")).build()) {
            Environment environment = context.getEnvironment().start();
            KafkaClients kafka = new KafkaClients(new KafkaDefaultConfiguration(environment), environment);

            // when
            Properties properties = ProjectionFactory.streamsProperties(kafka,
                    Map.of("commit.interval.ms", 20, "num.standby.replicas", 0), "projection-this-instance",
                    Duration.ofSeconds(6));

            // then
            assertEquals("2", properties.get("num.stream.threads").toString());
            assertEquals("50", properties.get("commit.interval.ms").toString(), "the configuration tunes the app");
            assertEquals(0, properties.get("num.standby.replicas"));
            assertEquals("broker-1:9092", properties.get("bootstrap.servers"));
            assertEquals("exactly_once_v2", properties.get("processing.guarantee"));
            assertEquals("projection-this-instance", properties.get("main.consumer.group.instance.id"));
            assertEquals(6000, properties.get("main.consumer.session.timeout.ms"));
        }
    }

    @Test
    void shouldFetchInBatchesUnlessTheWaitIsZero() {
        assertEquals(Map.of("main.consumer.fetch.max.wait.ms", 100, "main.consumer.fetch.min.bytes", 262_144),
                ProjectionFactory.batchedFetch(100));
        assertEquals(Map.of(), ProjectionFactory.batchedFetch(0), "0 leaves Kafka's defaults");
    }
}
