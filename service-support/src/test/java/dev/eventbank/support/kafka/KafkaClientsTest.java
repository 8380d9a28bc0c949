package dev.eventbank.support.kafka;

import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The layout every service's Kafka clients are configured in, read through a real Micronaut context and
 * micronaut-kafka's {@code KafkaDefaultConfiguration}, as the services read it.
 */
class KafkaClientsTest {

    private static final Map<String, Object> CONFIGURATION = Map.of(
            "kafka.bootstrap.servers", "broker-1:9092",
            "kafka.security.protocol", "SASL_PLAINTEXT",
            "kafka.sasl.mechanism", "SCRAM-SHA-512",
            "kafka.health.restricted", true,
            "kafka.health-timeout", "5s",
            "kafka.producers.command-writers.linger.ms", 7,
            "kafka.producers.command-writers.compression.type", "lz4",
            "kafka.consumers.command-writers.session.timeout.ms", 9000,
            "kafka.streams.projection.num.stream.threads", 2);

    @Test
    void shouldGiveEveryClientTheKafkaSettingsButNotMicronautKafkasOwn() {
        try (ApplicationContext context = ApplicationContext.run(CONFIGURATION)) {
            // when
            Map<String, Object> common = context.getBean(KafkaClients.class).common();

            // then
            assertEquals("broker-1:9092", common.get("bootstrap.servers"));
            assertEquals("SASL_PLAINTEXT", common.get("security.protocol"));
            assertEquals("SCRAM-SHA-512", common.get("sasl.mechanism"));
            assertFalse(common.keySet().stream().anyMatch(key -> key.startsWith("health")), common.toString());
            assertFalse(common.keySet().stream().anyMatch(key -> key.startsWith("producers") || key.startsWith("streams")),
                    common.toString());
        }
    }

    @Test
    void shouldLayTheNamedClientsSettingsOverTheCallersOwnAndTheCommonOnes() {
        try (ApplicationContext context = ApplicationContext.run(CONFIGURATION)) {
            KafkaClients kafka = context.getBean(KafkaClients.class);

            // when
            Map<String, Object> producer = kafka.producer("command-writers", Map.of("linger.ms", 0, "retry.backoff.ms", 5));
            Map<String, Object> consumer = kafka.consumer("command-writers", Map.of("session.timeout.ms", 6000));
            Map<String, Object> otherConsumer = kafka.consumer("command-restore", Map.of("max.poll.records", 10_000));
            Properties streams = kafka.streams("projection", Map.of("num.stream.threads", 1, "commit.interval.ms", 20));

            // then
            assertEquals("7", producer.get("linger.ms").toString(), "the configuration overrides the caller");
            assertEquals("lz4", producer.get("compression.type"));
            assertEquals(5, producer.get("retry.backoff.ms"), "what the configuration does not name stays");
            assertEquals("broker-1:9092", producer.get("bootstrap.servers"));
            assertEquals("9000", consumer.get("session.timeout.ms").toString());
            assertEquals(Map.of("bootstrap.servers", "broker-1:9092", "security.protocol", "SASL_PLAINTEXT",
                    "sasl.mechanism", "SCRAM-SHA-512", "max.poll.records", 10_000), otherConsumer);
            assertEquals("2", streams.get("num.stream.threads").toString());
            assertEquals(20, streams.get("commit.interval.ms"));
            assertEquals("SCRAM-SHA-512", streams.get("sasl.mechanism"));
        }
    }

    @Test
    void shouldConnectLocalhostByDefaultAsMicronautKafkaDoes() {
        try (ApplicationContext context = ApplicationContext.run(Map.of("kafka.sasl.mechanism", "PLAIN"))) {
            assertEquals("localhost:9092", context.getBean(KafkaClients.class).common().get("bootstrap.servers"));
        }
    }

    @Test
    void shouldTakeTheConnectionOfAStreamsAppForItsSideClients() {
        Properties streams = new Properties();
        streams.putAll(Map.of("bootstrap.servers", "b:9092", "sasl.jaas.config", "x", "security.protocol", "SASL_SSL",
                "ssl.truststore.location", "/t", "application.id", "app", "commit.interval.ms", "20"));

        assertEquals(Map.of("bootstrap.servers", "b:9092", "sasl.jaas.config", "x", "security.protocol", "SASL_SSL",
                "ssl.truststore.location", "/t"), KafkaClients.connectionOf(streams));
    }
}
