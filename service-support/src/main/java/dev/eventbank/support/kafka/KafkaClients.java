package dev.eventbank.support.kafka;

import io.micronaut.configuration.kafka.config.KafkaDefaultConfiguration;
import io.micronaut.context.env.Environment;
import jakarta.inject.Singleton;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The configuration of every Kafka client a service creates (producers, consumers, admin clients, Kafka Streams
 * apps), in micronaut-kafka's layout:
 * <ul>
 *   <li>{@code kafka.*}: what every client gets, read by micronaut-kafka's {@link KafkaDefaultConfiguration}:
 *   {@code kafka.bootstrap.servers}, {@code kafka.security.protocol}, {@code kafka.sasl.mechanism},
 *   {@code kafka.sasl.jaas.config} and any other Kafka client setting (environment {@code KAFKA_BOOTSTRAP_SERVERS},
 *   {@code KAFKA_SASL_JAAS_CONFIG}, ...);</li>
 *   <li>then, for one client, {@code kafka.producers.<name>.*}, {@code kafka.consumers.<name>.*} or
 *   {@code kafka.streams.<name>.*}, as micronaut-kafka's {@code KafkaProducerConfiguration},
 *   {@code KafkaConsumerConfiguration} and {@code KafkaStreamsConfiguration} merge them.</li>
 * </ul>
 * The services' names are in each service's {@code application.yml} and the README (Configuration).
 *
 * <p>Why the named part is merged here and not taken from micronaut-kafka's named configuration beans: those
 * exist only for names present in the configuration, and the clients that need them are created at run time
 * (a transactional producer per owned partition, a Kafka Streams app per projection generation), each with
 * settings of its own that the configuration must not be able to break ({@code transactional.id},
 * {@code group.instance.id}); the caller decides which of its settings a named configuration may override.
 *
 * <p>micronaut-kafka's own keys under {@code kafka.*} ({@code kafka.health.*}, {@code kafka.health-timeout},
 * {@code kafka.enabled}, ...) are not client settings and are left out, so that no client logs them as unknown.
 */
@Singleton
public final class KafkaClients {

    /** Keys under {@code kafka.} that configure micronaut-kafka itself (its health check, listeners, topics). */
    private static final Set<String> LIBRARY_KEYS = Set.of("health", "health-timeout", "enabled",
            "default-listener-exception-handler", "topics", "embedded");

    private final Map<String, Object> common;
    private final Environment environment;

    /**
     * @param defaults    micronaut-kafka's {@code kafka.*} configuration; {@code bootstrap.servers} defaults to
     *                    {@code localhost:9092} there
     * @param environment where the named parts ({@code kafka.producers.<name>}, ...) are read from
     */
    public KafkaClients(KafkaDefaultConfiguration defaults, Environment environment) {
        this(defaults.getConfig(), environment);
    }

    /**
     * A configuration with these common settings and no named parts, for clients created outside a Micronaut
     * context (tests, tools).
     *
     * @param common Kafka client settings, {@code bootstrap.servers} at least
     */
    public static KafkaClients of(Map<String, ?> common) {
        Properties properties = new Properties();
        properties.putAll(common);
        return new KafkaClients(properties, null);
    }

    private KafkaClients(Properties common, Environment environment) {
        Map<String, Object> all = new HashMap<>();
        common.forEach((key, value) -> all.put(key.toString(), value));
        Map<String, Object> settings = new HashMap<>();
        withoutSpellingVariants(all).forEach((name, value) -> {
            if (!LIBRARY_KEYS.contains(name.split("\\.", 2)[0])) {
                settings.put(name, value);
            }
        });
        this.common = Map.copyOf(settings);
        this.environment = environment;
    }

    /**
     * The settings without the spellings Micronaut adds for an environment variable: it reads
     * {@code KAFKA_SASL_JAAS_CONFIG} as {@code sasl.jaas.config} and also as {@code sasl-jaas-config},
     * {@code sasl.jaas-config} and {@code sasl-jaas.config}, every mix of {@code .} and {@code -} (Micronaut guide,
     * "Property Value Binding"). Kafka's settings are all spelt with dots, so a hyphenated key whose dotted spelling
     * is also there is such a variant; a client given it would log it as an unknown setting. A hyphenated key alone
     * (one written so in {@code application.yml}) stays, for the client to accept or refuse.
     */
    private static Map<String, Object> withoutSpellingVariants(Map<String, Object> settings) {
        Map<String, Object> kept = new HashMap<>();
        settings.forEach((name, value) -> {
            if (name.indexOf('-') < 0 || !settings.containsKey(name.replace('-', '.'))) {
                kept.put(name, value);
            }
        });
        return kept;
    }

    /**
     * What every client gets: {@code kafka.*} without micronaut-kafka's own keys.
     *
     * @return an unmodifiable map of Kafka client setting names to values, with {@code bootstrap.servers} at least
     */
    public Map<String, Object> common() {
        return common;
    }

    /**
     * A producer's settings: {@link #common()}, then {@code own}, then {@code kafka.producers.<name>.*}.
     *
     * @param name the producer's name in the configuration, e.g. {@code command-writers}
     * @param own  the caller's settings, which the configuration may override
     * @return a new mutable map
     */
    public Map<String, Object> producer(String name, Map<String, ?> own) {
        return merged("kafka.producers." + name, own);
    }

    /** A consumer's settings: {@link #common()}, then {@code own}, then {@code kafka.consumers.<name>.*}. */
    public Map<String, Object> consumer(String name, Map<String, ?> own) {
        return merged("kafka.consumers." + name, own);
    }

    /**
     * An admin client's settings: {@link #common()}, then {@code own}. micronaut-kafka has no named admin
     * configurations ({@code kafka.*} is its admin client's whole configuration), so neither have we.
     *
     * @return a new mutable map
     */
    public Map<String, Object> admin(Map<String, ?> own) {
        Map<String, Object> settings = new HashMap<>(common);
        settings.putAll(own);
        return settings;
    }

    /**
     * A Kafka Streams app's settings: {@link #common()}, then {@code own}, then {@code kafka.streams.<name>.*}
     * (Kafka Streams' prefixes {@code producer.}, {@code consumer.}, {@code main.consumer.} ... work there too).
     *
     * @return new properties
     */
    public Properties streams(String name, Map<String, ?> own) {
        Properties properties = new Properties();
        properties.putAll(merged("kafka.streams." + name, own));
        return properties;
    }

    /**
     * The connection part of a Kafka Streams app's properties ({@code bootstrap.servers} and the authentication
     * settings), for the plain clients that work beside it (admin clients, control-topic producers and consumers).
     *
     * @return a new mutable map
     */
    public static Map<String, Object> connectionOf(Properties streamsProperties) {
        Map<String, Object> connection = new HashMap<>();
        streamsProperties.forEach((key, value) -> {
            String name = key.toString();
            if (name.equals("bootstrap.servers") || name.startsWith("security.") || name.startsWith("sasl.")
                    || name.startsWith("ssl.")) {
                connection.put(name, value);
            }
        });
        return connection;
    }

    private Map<String, Object> merged(String prefix, Map<String, ?> own) {
        Map<String, Object> settings = new HashMap<>(common);
        settings.putAll(own);
        if (environment != null) {
            // read as micronaut-kafka reads kafka.streams.<name> (KafkaStreamsConfiguration): with RAW keys, as its
            // KafkaProducerConfiguration reads them, a key application.yml also sets keeps the file's value over an
            // environment variable's, and one that only an environment variable sets may be missing
            environment.getProperty(prefix, Properties.class).ifPresent(named -> {
                Map<String, Object> entries = new HashMap<>();
                named.forEach((key, value) -> entries.put(key.toString(), value));
                settings.putAll(withoutSpellingVariants(entries));
            });
        }
        return settings;
    }
}
