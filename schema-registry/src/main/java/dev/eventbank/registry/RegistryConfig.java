package dev.eventbank.registry;

import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.convert.ConversionService;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.Arrays;

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
public record RegistryConfig(String topic, short topicReplicationFactor, Duration timeout,
                             CompatibilityLevel defaultCompatibility) {

    /**
     * The settings from their text, each checked: a value that does not parse stops the start with the setting's name.
     * Micronaut's binding of {@code @ConfigurationProperties}, used before, put the default in place of a value it
     * could not convert, without a word: a level mistyped as {@code FULL_TRANSITVE} ran as {@code BACKWARD}.
     *
     * @param timeout              a duration as Micronaut reads one: {@code 10s}, {@code 500ms}, {@code PT10S}
     * @param defaultCompatibility one of Confluent's levels, in any case
     * @throws IllegalArgumentException naming the setting and what it accepts
     */
    static RegistryConfig parse(String topic, String topicReplicationFactor, String timeout, String defaultCompatibility,
                                ConversionService conversion) {
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("registry.topic must be a topic name, was empty");
        }
        short replicationFactor;
        try {
            replicationFactor = Short.parseShort(topicReplicationFactor.strip());
        } catch (NumberFormatException e) {
            replicationFactor = 0;
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("registry.topic-replication-factor must be a whole number of at least 1, "
                    + "was " + topicReplicationFactor);
        }
        Duration wait = conversion.convert(timeout.strip(), Duration.class).orElse(null);
        if (wait == null || wait.isNegative() || wait.isZero()) {
            throw new IllegalArgumentException("registry.timeout must be a positive duration such as 10s or 500ms, was "
                    + timeout);
        }
        CompatibilityLevel level;
        try {
            level = CompatibilityLevel.parse(defaultCompatibility);
        } catch (RegistryException e) {
            throw new IllegalArgumentException("registry.default-compatibility must be one of "
                    + Arrays.toString(CompatibilityLevel.values()) + ", was " + defaultCompatibility);
        }
        return new RegistryConfig(topic.strip(), replicationFactor, wait, level);
    }

    /** Makes the one {@link RegistryConfig} of the application context from the {@code registry.*} settings. */
    @Factory
    static final class Settings {

        @Singleton
        RegistryConfig registryConfig(@Value("${registry.topic:_schemas}") String topic,
                                      @Value("${registry.topic-replication-factor:1}") String topicReplicationFactor,
                                      @Value("${registry.timeout:10s}") String timeout,
                                      @Value("${registry.default-compatibility:BACKWARD}") String defaultCompatibility,
                                      ConversionService conversion) {
            return parse(topic, topicReplicationFactor, timeout, defaultCompatibility, conversion);
        }
    }
}
