package dev.eventbank.testbroker;

import dev.eventbank.localkafka.LocalKafkaBroker;
import org.apache.kafka.common.utils.AppInfoParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The integration tests' one real Kafka broker, shared by every test of a JVM: Testcontainers' Kafka module
 * ({@code org.testcontainers.kafka.KafkaContainer}, image {@code apache/kafka} tagged with the version of the Kafka
 * jars on the class path, i.e. the pom's {@code kafka.version}) when a Docker engine answers, else the broker from the
 * Kafka jars ({@link LocalKafkaBroker#startTemporary()}); {@code -Deventbank.test.broker=container|jars|auto} forces one
 * ({@link BrokerChoice}). The start logs one line naming the broker, its address and the reason, e.g.
 * {@code test broker: Kafka 4.3.1 from the jars at 127.0.0.1:41234 (no Docker engine answered)}.
 *
 * <p>Both brokers run with {@link LocalKafkaBroker#clusterSettings()} (no topic auto-creation, replication factor 1,
 * the transaction retry backoff of docs/write-side-performance.md); the container gets them as the image's
 * {@code KAFKA_*} environment variables.
 *
 * <p>Limits: one node. Either broker is stopped when the JVM exits (the jars' deletes its temporary directory; the
 * container is also removed by Testcontainers' reaper if the JVM dies).
 * The local stack's end-to-end tests do not use this fixture: {@code LocalStack} starts its own broker from the jars,
 * as {@code bin/local-stack} does, and those tests stop and restart it on the same data directory.
 */
public final class TestBroker {

    private static final Logger LOG = LoggerFactory.getLogger(TestBroker.class);
    private static TestBroker shared;

    private final String bootstrapServers;
    private final BrokerChoice choice;

    private TestBroker(String bootstrapServers, BrokerChoice choice) {
        this.bootstrapServers = bootstrapServers;
        this.choice = choice;
    }

    /**
     * The broker of this JVM: chosen and started on first use (the container's image may be pulled then), logged once.
     *
     * @throws IllegalArgumentException when {@value BrokerChoice#PROPERTY} has a value other than auto, container, jars
     * @throws IllegalStateException    when the chosen broker does not start, e.g. a forced container without Docker
     */
    public static synchronized TestBroker shared() {
        if (shared == null) {
            BrokerChoice choice = BrokerChoice.decide(System.getProperty(BrokerChoice.PROPERTY),
                    () -> DockerClientFactory.instance().isDockerAvailable());
            shared = start(choice);
            LOG.info("test broker: {} at {} ({})", what(choice.kind()), shared.bootstrapServers, choice.reason());
        }
        return shared;
    }

    /** {@code host:port} of the broker, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Which broker runs and why. */
    public BrokerChoice choice() {
        return choice;
    }

    /** The version of the Kafka jars on the class path (kafka-clients), e.g. {@code 4.3.1}: the pom's kafka.version. */
    public static String kafkaVersion() {
        return AppInfoParser.getVersion();
    }

    /** The container's image: {@code apache/kafka:<kafkaVersion()>}. */
    public static String containerImage() {
        return "apache/kafka:" + kafkaVersion();
    }

    /** What runs for {@code kind}, as the start's log line says it, e.g. {@code Kafka 4.3.1 from the jars}. */
    static String what(BrokerChoice.Kind kind) {
        return switch (kind) {
            case CONTAINER -> "Kafka " + kafkaVersion() + " in a container (" + containerImage() + ")";
            case JARS -> "Kafka " + kafkaVersion() + " from the jars";
        };
    }

    /** {@link LocalKafkaBroker#clusterSettings()} as the {@code apache/kafka} image's environment variables. */
    static Map<String, String> containerEnvironment() {
        Map<String, String> environment = new LinkedHashMap<>();
        LocalKafkaBroker.clusterSettings().forEach((name, value) -> environment.put(environmentVariable(name), value));
        return environment;
    }

    /**
     * The {@code apache/kafka} image's variable for a broker property (Kafka's docker/examples/README.md): {@code _}
     * becomes {@code __}, {@code -} becomes {@code ___}, {@code .} becomes {@code _}, upper case, prefix {@code KAFKA_}.
     */
    static String environmentVariable(String property) {
        return "KAFKA_" + property.replace("_", "__").replace("-", "___").replace(".", "_").toUpperCase(Locale.ROOT);
    }

    private static TestBroker start(BrokerChoice choice) {
        return switch (choice.kind()) {
            case JARS -> new TestBroker(startJars(), choice);
            case CONTAINER -> new TestBroker(startContainer(choice), choice);
        };
    }

    private static String startJars() {
        LocalKafkaBroker broker = LocalKafkaBroker.startTemporary();
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "test-broker-shutdown"));
        return broker.bootstrapServers();
    }

    private static String startContainer(BrokerChoice choice) {
        KafkaContainer container = new KafkaContainer(DockerImageName.parse(containerImage()))
                .withEnv(containerEnvironment());
        try {
            container.start();
        } catch (RuntimeException e) {
            throw new IllegalStateException("test broker: " + containerImage() + " did not start (" + choice.reason()
                    + "); -D" + BrokerChoice.PROPERTY + "=jars runs the broker from the jars instead", e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "test-broker-shutdown"));
        return container.getBootstrapServers();
    }
}
