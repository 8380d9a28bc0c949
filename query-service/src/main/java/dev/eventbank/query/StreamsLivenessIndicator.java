package dev.eventbank.query;

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
 * Liveness ({@code /health/liveness}): DOWN only when the view's Kafka Streams app stopped for good (ERROR,
 * PENDING_ERROR, NOT_RUNNING), which only a restart repairs. Restoring the view is not a reason: readiness
 * ({@link StreamsHealthIndicator}) is DOWN then instead. Limits: an unreachable broker leaves it UP.
 */
@Singleton
@Liveness
final class StreamsLivenessIndicator implements HealthIndicator {

    private final KafkaStreams streams;

    StreamsLivenessIndicator(KafkaStreams streams) {
        this.streams = streams;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        KafkaStreams.State state = streams.state();
        boolean stopped = ManagedStreams.hasStoppedForGood(state);
        return Publishers.just(HealthResult.builder("kafka-streams-liveness", stopped ? HealthStatus.DOWN : HealthStatus.UP)
                .details(Map.of("state", state.name()))
                .build());
    }
}
