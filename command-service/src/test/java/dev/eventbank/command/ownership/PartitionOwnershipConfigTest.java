package dev.eventbank.command.ownership;

import dev.eventbank.command.routing.CommandMetrics;
import dev.eventbank.command.writer.WriterSettings;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import dev.eventbank.support.kafka.KafkaClients;
import io.micronaut.configuration.kafka.config.KafkaDefaultConfiguration;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.Environment;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** What kafka.consumers.command-writers.* may tune in the ownership's consumer, and what it may not change. */
class PartitionOwnershipConfigTest {

    @Test
    void shouldTakeTheTuningButKeepTheGroupTheClientIdAndNoStaticMembership() {
        // the configuration alone (the command service's own beans would start and look for a broker)
        try (ApplicationContext context = ApplicationContext.builder().properties(Map.of(
                "kafka.bootstrap.servers", "broker:9092",
                "kafka.consumers.command-writers.heartbeat.interval.ms", 700,
                "kafka.consumers.command-writers.group.id", "someone-elses-group",
                "kafka.consumers.command-writers.client.id", "not-a-url",
                "kafka.consumers.command-writers.enable.auto.commit", true,
                "kafka.consumers.command-writers.group.instance.id", "shared-by-two-instances")).build()) {
            Environment environment = context.getEnvironment().start();
            KafkaClients kafka = new KafkaClients(new KafkaDefaultConfiguration(environment), environment);
            WriterSettings settings = WriterSettings.of(kafka, "writers",
                    Duration.ofHours(24), 500, Duration.ofSeconds(1), Clock.systemUTC(),
                    SchemaRegistryClients.forUrl("mock://ownership-config"), CommandMetrics.none());
            PartitionOwnership ownership = new PartitionOwnership("bank-account-command-writers", Duration.ofSeconds(6),
                    12, settings);

            // when
            Map<String, Object> config = ownership.consumerConfig("http://10.0.0.5:8080");

            // then
            assertEquals("700", config.get("heartbeat.interval.ms").toString(), "tuning is taken");
            assertEquals("broker:9092", config.get("bootstrap.servers"));
            assertEquals("bank-account-command-writers", config.get("group.id"));
            assertEquals(OwnerDirectory.clientIdFor("http://10.0.0.5:8080"), config.get("client.id"));
            assertEquals(false, config.get("enable.auto.commit"));
            assertFalse(config.containsKey("group.instance.id"), config.toString());
        }
    }
}
