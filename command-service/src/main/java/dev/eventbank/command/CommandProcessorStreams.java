package dev.eventbank.command;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the command processor topology: starts it, reports its state, closes it.
 *
 * <p>A stream thread that dies on an exception is replaced, so under exactly-once the failed transaction is
 * aborted and the batch retried from the last commit; nothing it did becomes visible. Limits: a cause that never
 * goes away (a command the processor cannot handle at all) makes the thread fail and be replaced again and
 * again, holding up its partition; each failure is logged at ERROR.
 *
 * <p>Its Kafka Streams client metrics (threads, tasks, stores, embedded clients) are bound to Micrometer as
 * {@code kafka.stream.*} meters; it counts the stores being restored from their changelog, for readiness.
 */
final class CommandProcessorStreams implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommandProcessorStreams.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaStreams streams;
    private final KafkaStreamsMetrics metrics;
    private final AtomicInteger restoring = new AtomicInteger();

    CommandProcessorStreams(Topology topology, Properties properties, MeterRegistry registry) {
        Object applicationId = properties.get(StreamsConfig.APPLICATION_ID_CONFIG);
        this.streams = new KafkaStreams(topology, properties);
        this.metrics = new KafkaStreamsMetrics(streams);
        metrics.bindTo(registry);
        streams.setGlobalStateRestoreListener(new RestoreCounter(restoring));
        streams.setUncaughtExceptionHandler(error -> {
            LOG.error("stream thread failed, replacing it applicationId={} error=\"{}\"", applicationId, error.toString());
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((newState, oldState) ->
                LOG.info("streams state applicationId={} from={} to={}", applicationId, oldState, newState));
    }

    void start() {
        streams.start();
    }

    KafkaStreams.State state() {
        return streams.state();
    }

    /** Store partitions being restored from their changelog right now (active tasks only, not standbys). */
    int restoringStores() {
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
