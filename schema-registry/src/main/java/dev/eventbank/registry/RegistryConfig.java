package dev.eventbank.registry;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;

/**
 * The registry's settings under {@code registry.*} in {@code application.yml} (the Kafka bootstrap servers are
 * {@code kafka.bootstrap.servers}, shared with the other services).
 *
 * @param topic                   the compacted store topic (Confluent's {@code kafkastore.topic})
 * @param topicReplicationFactor  replication factor used when this registry creates the topic
 * @param timeout                 how long a request waits for the store: to catch up at startup, or for a write
 *                                to come back through the reader
 * @param defaultCompatibility    the global level while none was set with {@code PUT /config}
 */
@ConfigurationProperties("registry")
public record RegistryConfig(
        @Bindable(defaultValue = "_schemas") String topic,
        @Bindable(defaultValue = "1") short topicReplicationFactor,
        @Bindable(defaultValue = "10s") Duration timeout,
        @Bindable(defaultValue = "BACKWARD") CompatibilityLevel defaultCompatibility) {
}
