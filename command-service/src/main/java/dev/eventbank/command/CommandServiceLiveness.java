package dev.eventbank.command;

import dev.eventbank.command.gateway.CommandResultsListener;
import dev.eventbank.support.streams.ManagedStreams;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import io.micronaut.management.health.indicator.annotation.Liveness;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.KafkaStreams;
import org.reactivestreams.Publisher;

import java.util.Map;

/**
 * Liveness ({@code /health/liveness}): DOWN only when restarting the process is the way out: the command
 * processor's Kafka Streams app stopped for good (ERROR, PENDING_ERROR, NOT_RUNNING) or the results listener's
 * thread died. A rebalance or a restoration is not a reason: it stays UP then (readiness goes DOWN instead).
 *
 * <p>Limits: a broker that cannot be reached leaves Kafka Streams retrying in RUNNING or REBALANCING, so this
 * stays UP; restarting would not help.
 */
@Singleton
@Liveness
final class CommandServiceLiveness implements HealthIndicator {

    private final ManagedStreams streams;
    private final CommandResultsListener listener;

    CommandServiceLiveness(ManagedStreams streams, CommandResultsListener listener) {
        this.streams = streams;
        this.listener = listener;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        KafkaStreams.State state = streams.state();
        boolean up = !ManagedStreams.hasStoppedForGood(state) && listener.isReady();
        return Publishers.just(HealthResult.builder("command-service-liveness", up ? HealthStatus.UP : HealthStatus.DOWN)
                .details(Map.of("streams", state.name(), "resultsListener", listener.isReady() ? "READY" : "STOPPED"))
                .build());
    }
}
