package dev.eventbank.query;

import dev.eventbank.schemas.catalog.TopicProvisioner;
import dev.eventbank.schemas.catalog.TopicSpec;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the view's Kafka Streams app: creates the topic it reads, starts it, reports its state, closes it.
 *
 * <p>The topology is global-only (one global store), so Kafka Streams runs no stream threads and joins no
 * consumer group; the application id names its state directory and clients. Records on the state topic that
 * cannot be decoded are logged and skipped. Limits: if the global thread dies, the app goes to ERROR and
 * {@code /health} reports DOWN; a restart (by the orchestrator) is the remedy.
 *
 * <p>Its Kafka Streams metrics are bound to Micrometer ({@code kafka.stream.*}); it counts the stores being
 * restored, for readiness.
 */
public final class ViewStreams implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ViewStreams.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaStreams streams;
    private final Properties properties;
    private final List<TopicSpec> topics;
    private final int partitions;
    private final short replicationFactor;
    private final KafkaStreamsMetrics metrics;
    private final AtomicInteger restoring = new AtomicInteger();

    public ViewStreams(Topology topology, Properties properties, List<TopicSpec> topics, int partitions,
                             short replicationFactor, MeterRegistry registry) {
        this.properties = properties;
        this.topics = topics;
        this.partitions = partitions;
        this.replicationFactor = replicationFactor;
        this.streams = new KafkaStreams(topology, properties);
        this.metrics = new KafkaStreamsMetrics(streams);
        metrics.bindTo(registry);
        streams.setGlobalStateRestoreListener(new RestoreCounter(restoring));
        streams.setUncaughtExceptionHandler(error -> {
            LOG.error("stream thread failed, replacing it applicationId={} error=\"{}\"",
                    properties.get(StreamsConfig.APPLICATION_ID_CONFIG), error.toString());
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((newState, oldState) -> LOG.info("streams state applicationId={} from={} to={}",
                properties.get(StreamsConfig.APPLICATION_ID_CONFIG), oldState, newState));
    }

    /** Creates the topics if missing (checking existing ones), then starts restoring and updating the view. */
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

    /** Store partitions being restored from their topic right now. */
    public int restoringStores() {
        return restoring.get();
    }

    @Override
    public void close() {
        metrics.close();
        if (!streams.close(CLOSE_TIMEOUT)) {
            LOG.warn("streams did not close within {} s", CLOSE_TIMEOUT.toSeconds());
        }
    }

    /** Counts the store partitions whose restoration started and has not ended (or been suspended) yet. */
    private record RestoreCounter(AtomicInteger restoring) implements StateRestoreListener {

        @Override
        public void onRestoreStart(TopicPartition partition, String storeName, long startingOffset, long endingOffset) {
            restoring.incrementAndGet();
        }

        @Override
        public void onBatchRestored(TopicPartition partition, String storeName, long batchEndOffset, long numRestored) {
        }

        @Override
        public void onRestoreEnd(TopicPartition partition, String storeName, long totalRestored) {
            restoring.decrementAndGet();
        }

        @Override
        public void onRestoreSuspended(TopicPartition partition, String storeName, long totalRestored) {
            restoring.decrementAndGet();
        }
    }
}
