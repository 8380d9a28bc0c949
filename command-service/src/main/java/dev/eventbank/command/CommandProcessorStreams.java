package dev.eventbank.command;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Properties;

/**
 * Runs the command processor topology: starts it, reports its state, closes it.
 *
 * <p>A stream thread that dies on an exception is replaced, so under exactly-once the failed transaction is
 * aborted and the batch retried from the last commit; nothing it did becomes visible. Limits: a cause that never
 * goes away (a command the processor cannot handle at all) makes the thread fail and be replaced again and
 * again, holding up its partition; each failure is logged at ERROR.
 */
final class CommandProcessorStreams implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommandProcessorStreams.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaStreams streams;

    CommandProcessorStreams(Topology topology, Properties properties) {
        Object applicationId = properties.get(StreamsConfig.APPLICATION_ID_CONFIG);
        this.streams = new KafkaStreams(topology, properties);
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

    @Override
    public void close() {
        if (!streams.close(CLOSE_TIMEOUT)) {
            LOG.warn("streams did not close within {} s", CLOSE_TIMEOUT.toSeconds());
        }
    }
}
