package dev.eventbank.command;

import dev.eventbank.command.gateway.CommandResultsListener;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.KafkaStreams;
import org.reactivestreams.Publisher;

import java.util.Map;

/**
 * {@code /health} is UP only while the command processor's Kafka Streams app is RUNNING and the results
 * listener is positioned and reading: before that, commands would be taken but not answered.
 */
@Singleton
final class CommandServiceHealth implements HealthIndicator {

    private final CommandProcessorStreams streams;
    private final CommandResultsListener listener;

    CommandServiceHealth(CommandProcessorStreams streams, CommandResultsListener listener) {
        this.streams = streams;
        this.listener = listener;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        KafkaStreams.State state = streams.state();
        boolean up = state == KafkaStreams.State.RUNNING && listener.isReady();
        return Publishers.just(HealthResult.builder("command-service", up ? HealthStatus.UP : HealthStatus.DOWN)
                .details(Map.of("streams", state.name(), "resultsListener", listener.isReady() ? "READY" : "NOT_READY"))
                .build());
    }
}
