package dev.eventbank.command;

import dev.eventbank.command.gateway.CommandResultsListener;
import dev.eventbank.support.streams.ManagedStreams;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import io.micronaut.management.health.indicator.annotation.Readiness;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.KafkaStreams;
import org.reactivestreams.Publisher;

import java.util.Map;

/**
 * Readiness: {@code /health} and {@code /health/readiness} are UP only while the command processor's Kafka
 * Streams app is RUNNING with no store being restored and the results listener is positioned and reading: before
 * that (starting, rebalancing, restoring), commands would be taken but not answered in time. See
 * {@link CommandServiceLiveness} for whether the process should be restarted.
 */
@Singleton
@Readiness
final class CommandServiceHealth implements HealthIndicator {

    private final ManagedStreams streams;
    private final CommandResultsListener listener;

    CommandServiceHealth(ManagedStreams streams, CommandResultsListener listener) {
        this.streams = streams;
        this.listener = listener;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        KafkaStreams.State state = streams.state();
        int restoring = streams.restoringStores();
        boolean up = ManagedStreams.canServe(state, restoring) && listener.isReady();
        return Publishers.just(HealthResult.builder("command-service", up ? HealthStatus.UP : HealthStatus.DOWN)
                .details(Map.of("streams", state.name(), "restoringStores", restoring,
                        "resultsListener", listener.isReady() ? "READY" : "NOT_READY"))
                .build());
    }
}
