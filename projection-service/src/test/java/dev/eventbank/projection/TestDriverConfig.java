package dev.eventbank.projection;

import org.apache.kafka.streams.StreamsConfig;

import java.nio.file.Path;
import java.util.Properties;

/** The configuration every {@code TopologyTestDriver} of these tests starts from: no broker, its own state directory. */
public final class TestDriverConfig {

    private TestDriverConfig() {
    }

    public static Properties of(String applicationId, Path stateDir) {
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        return properties;
    }

    /** As {@link #of}, under exactly_once_v2 like the service. */
    public static Properties exactlyOnce(String applicationId, Path stateDir) {
        Properties properties = of(applicationId, stateDir);
        properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        return properties;
    }
}
