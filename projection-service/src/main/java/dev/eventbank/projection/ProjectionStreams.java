package dev.eventbank.projection;

import dev.eventbank.schemas.catalog.TopicProvisioner;
import dev.eventbank.schemas.catalog.TopicSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Runs one Kafka Streams topology: creates its topics, starts it, reports its state, closes it.
 *
 * <p>A stream thread that dies on an exception (only transient ones reach it: bad records are dead-lettered)
 * is replaced, so under exactly-once the failed batch is retried from the last commit. Limits: a cause that
 * never goes away makes the thread fail and be replaced again and again; each failure is logged at ERROR.
 */
public final class ProjectionStreams implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectionStreams.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaStreams streams;
    private final Properties properties;
    private final List<TopicSpec> topics;
    private final int partitions;
    private final short replicationFactor;

    public ProjectionStreams(Topology topology, Properties properties, List<TopicSpec> topics, int partitions,
                             short replicationFactor) {
        this.properties = properties;
        this.topics = topics;
        this.partitions = partitions;
        this.replicationFactor = replicationFactor;
        this.streams = new KafkaStreams(topology, properties);
        streams.setUncaughtExceptionHandler(error -> {
            LOG.error("stream thread failed, replacing it applicationId={} error=\"{}\"",
                    properties.get(StreamsConfig.APPLICATION_ID_CONFIG), error.toString());
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((newState, oldState) -> LOG.info("streams state applicationId={} from={} to={}",
                properties.get(StreamsConfig.APPLICATION_ID_CONFIG), oldState, newState));
    }

    /** Creates missing topics (checking existing ones), then starts processing. */
    public void start() {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, properties.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)))) {
            new TopicProvisioner(admin, partitions, replicationFactor).ensure(topics);
        }
        streams.start();
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    public KafkaStreams kafkaStreams() {
        return streams;
    }

    /**
     * Stops processing and leaves the consumer group at once (a plain close would stay in it until the session
     * times out): a restarted instance, or the other instances, take the partitions over without waiting ~45 s,
     * and a retired generation's group can be deleted right away.
     */
    public boolean stopAndLeaveGroup() {
        boolean closed = streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(CLOSE_TIMEOUT));
        if (!closed) {
            LOG.warn("streams did not close within {} s applicationId={}", CLOSE_TIMEOUT.toSeconds(),
                    properties.get(StreamsConfig.APPLICATION_ID_CONFIG));
        }
        return closed;
    }

    /** Deletes this app's local state directory; only once it is closed (Kafka Streams refuses otherwise). */
    public void cleanUp() {
        streams.cleanUp();
    }

    /** Same as {@link #stopAndLeaveGroup()}. */
    @Override
    public void close() {
        stopAndLeaveGroup();
    }
}
