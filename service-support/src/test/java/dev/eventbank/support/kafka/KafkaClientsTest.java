package dev.eventbank.support.kafka;

import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.EnvironmentPropertySource;
import io.micronaut.context.env.MapPropertySource;
import io.micronaut.context.env.PropertySource;
import io.micronaut.context.env.SystemPropertiesPropertySource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

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
    void shouldTakeEnvironmentVariablesAsOperatorsSetThemWithoutTheirOtherSpellings() {
        // given: application.yml's values, and environment variables over them, as docker-compose sets them
        Map<String, Object> yml = Map.of(
                "kafka.bootstrap.servers", "localhost:9092",
                "kafka.health.restricted", true,
                "kafka.producers.command-writers.linger.ms", 0,
                "kafka.streams.default.state.dir", "/yml-state");
        Map<String, Object> variables = Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "broker-1:9092",
                "KAFKA_SASL_JAAS_CONFIG", "login",
                "KAFKA_HEALTH_RESTRICTED", "true",
                "KAFKA_PRODUCERS_COMMAND_WRITERS_LINGER_MS", "5",
                "KAFKA_CONSUMERS_COMMAND_RESTORE_MAX_POLL_RECORDS", "77",
                "KAFKA_STREAMS_PROJECTION_NUM_STREAM_THREADS", "2",
                "KAFKA_STREAMS_DEFAULT_STATE_DIR", "/env-state");

        try (ApplicationContext context = ApplicationContext.builder()
                .propertySources(PropertySource.of("application", yml, -300), environmentVariables(variables),
                        systemProperties(Map.of("kafka.bootstrap.servers", "broker-2:9092",
                                "kafka.producers.command-writers.compression.type", "zstd")))
                .deduceEnvironment(false)
                .start()) {
            KafkaClients kafka = context.getBean(KafkaClients.class);

            // when
            Map<String, Object> common = kafka.common();
            Map<String, Object> producer = kafka.producer("command-writers", Map.of("linger.ms", 1));
            Map<String, Object> restore = kafka.consumer("command-restore", Map.of("max.poll.records", 10_000));
            Properties projection = kafka.streams("projection", Map.of("num.stream.threads", 1));
            Properties view = kafka.streams("default", Map.of());

            // then: every override applies, under Kafka's own name only (Micronaut also reads KAFKA_SASL_JAAS_CONFIG
            // as sasl-jaas-config, sasl.jaas-config, ...: a client would log those as unknown settings)
            assertEquals(Map.of("bootstrap.servers", "broker-2:9092", "sasl.jaas.config", "login"), common);
            assertEquals("5", producer.get("linger.ms").toString());
            assertEquals("zstd", producer.get("compression.type"));
            assertEquals("77", restore.get("max.poll.records").toString());
            assertEquals("2", projection.get("num.stream.threads").toString());
            assertEquals("/env-state", view.get("state.dir"));
            for (Map<?, ?> settings : List.of(producer, restore, projection, view)) {
                assertFalse(settings.keySet().stream().anyMatch(key -> key.toString().contains("-")), settings.toString());
            }
        }
    }

    /** These variables as Micronaut reads the process's environment (its convention and precedence). */
    private static PropertySource environmentVariables(Map<String, Object> variables) {
        return new MapPropertySource(EnvironmentPropertySource.NAME, variables) {
            @Override
            public int getOrder() {
                return EnvironmentPropertySource.POSITION;
            }

            @Override
            public PropertyConvention getConvention() {
                return PropertyConvention.ENVIRONMENT_VARIABLE;
            }
        };
    }

    /** These {@code -D} properties as Micronaut reads the JVM's (its convention and precedence, over the environment). */
    private static PropertySource systemProperties(Map<String, Object> properties) {
        return new MapPropertySource(SystemPropertiesPropertySource.NAME, properties) {
            @Override
            public int getOrder() {
                return SystemPropertiesPropertySource.POSITION;
            }
        };
    }

    @Test
    void shouldKeepAHyphenatedSettingWrittenSoInTheConfiguration() {
        try (ApplicationContext context = ApplicationContext.run(Map.of(
                "kafka.producers.command-writers.my-interceptor.setting", "x"))) {
            Map<String, Object> producer = context.getBean(KafkaClients.class).producer("command-writers", Map.of());

            assertEquals("x", producer.get("my-interceptor.setting"), "not a spelling of a dotted key");
            assertNull(producer.get("my.interceptor.setting"));
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
