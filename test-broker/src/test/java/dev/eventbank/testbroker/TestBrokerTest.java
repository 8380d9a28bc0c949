package dev.eventbank.testbroker;

import dev.eventbank.localkafka.LocalKafkaBroker;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * What the fixture would start and log for each choice, without starting a broker: the container's image and
 * settings, and the words of the start's log line. The expected Kafka version is the pom's {@code kafka.version},
 * handed to this test by Surefire, not a second literal.
 */
class TestBrokerTest {

    private static final String POM_KAFKA_VERSION = System.getProperty("kafka.version");

    @Test
    void shouldTagTheContainerImageWithThePomsKafkaVersion() {
        assertNotNull(POM_KAFKA_VERSION, "Surefire passes the pom's kafka.version as a system property");
        assertEquals("apache/kafka:" + POM_KAFKA_VERSION, TestBroker.containerImage());
    }

    @Test
    void shouldSayWhichBrokerRanInTheStartLine() {
        assertEquals("Kafka " + POM_KAFKA_VERSION + " from the jars", TestBroker.what(BrokerChoice.Kind.JARS));
        assertEquals("Kafka " + POM_KAFKA_VERSION + " in a container (apache/kafka:" + POM_KAFKA_VERSION + ")",
                TestBroker.what(BrokerChoice.Kind.CONTAINER));
    }

    @Test
    void shouldGiveTheContainerTheSettingsOfTheBrokerFromTheJars() {
        Map<String, String> environment = TestBroker.containerEnvironment();

        assertEquals(LocalKafkaBroker.clusterSettings().size(), environment.size());
        assertEquals("false", environment.get("KAFKA_AUTO_CREATE_TOPICS_ENABLE"));
        assertEquals("1", environment.get("KAFKA_ADD_PARTITIONS_TO_TXN_RETRY_BACKOFF_MS"));
        assertEquals("1", environment.get("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"));
        assertEquals("0", environment.get("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS"));
    }

    @Test
    void shouldNameEnvironmentVariablesAsTheApacheKafkaImageReadsThem() {
        assertEquals("KAFKA_ABC_DEF", TestBroker.environmentVariable("abc.def"));
        assertEquals("KAFKA_ABC__DEF", TestBroker.environmentVariable("abc_def"));
        assertEquals("KAFKA_ABC___DEF", TestBroker.environmentVariable("abc-def"));
        assertEquals("KAFKA_LOG_SEGMENT_BYTES", TestBroker.environmentVariable("log.segment.bytes"));
    }
}
