package dev.eventbank.support.kafka;

import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;

import java.util.HashMap;
import java.util.Map;

/**
 * How a service's Kafka clients (producers, consumers, admin clients, Kafka Streams) authenticate to the broker:
 * the client settings {@code security.protocol}, {@code sasl.mechanism} and {@code sasl.jaas.config}, configured as
 * {@code kafka.security.protocol}, {@code kafka.sasl.mechanism} and {@code kafka.sasl.jaas.config} (micronaut-kafka's
 * names; environment {@code KAFKA_SECURITY_PROTOCOL}, {@code KAFKA_SASL_MECHANISM}, {@code KAFKA_SASL_JAAS_CONFIG}).
 *
 * <p>Unset, the clients connect in plain text without a principal, which a broker with ACLs refuses. With SASL/SCRAM
 * (bin/local-stack and docker-compose): {@code SASL_PLAINTEXT}, {@code SCRAM-SHA-512} and
 * {@code org.apache.kafka.common.security.scram.ScramLoginModule required username="command-service" password="...";}.
 * Every client a service creates must go through {@link #with(Map)}: one client without it is one that cannot connect.
 */
@Singleton
public final class KafkaClientSecurity {

    private final Map<String, Object> properties;

    public KafkaClientSecurity(@Value("${kafka.security.protocol:}") String protocol,
                               @Value("${kafka.sasl.mechanism:}") String mechanism,
                               @Value("${kafka.sasl.jaas.config:}") String jaasConfig) {
        this.properties = of(protocol, mechanism, jaasConfig);
    }

    /**
     * The client settings for these values; blank values are left out (the client's defaults apply).
     *
     * @return an unmodifiable map of Kafka client configuration names to values
     */
    public static Map<String, Object> of(String protocol, String mechanism, String jaasConfig) {
        Map<String, Object> settings = new HashMap<>();
        if (protocol != null && !protocol.isBlank()) {
            settings.put("security.protocol", protocol.strip());
        }
        if (mechanism != null && !mechanism.isBlank()) {
            settings.put("sasl.mechanism", mechanism.strip());
        }
        if (jaasConfig != null && !jaasConfig.isBlank()) {
            settings.put("sasl.jaas.config", jaasConfig.strip());
        }
        return Map.copyOf(settings);
    }

    /**
     * The connection part of a Kafka Streams app's properties (bootstrap servers and these authentication settings),
     * for the plain clients that work beside it (admin clients, control-topic producers and consumers).
     *
     * @return a new mutable map
     */
    public static Map<String, Object> connectionOf(java.util.Properties streamsProperties) {
        Map<String, Object> connection = new HashMap<>();
        for (String name : new String[]{"bootstrap.servers", "security.protocol", "sasl.mechanism", "sasl.jaas.config"}) {
            Object value = streamsProperties.get(name);
            if (value != null) {
                connection.put(name, value);
            }
        }
        return connection;
    }

    /** The authentication settings alone (empty when none are configured). */
    public Map<String, Object> properties() {
        return properties;
    }

    /** A new mutable map: {@code config} plus the authentication settings. */
    public Map<String, Object> with(Map<String, ?> config) {
        Map<String, Object> merged = new HashMap<>(config);
        merged.putAll(properties);
        return merged;
    }
}
