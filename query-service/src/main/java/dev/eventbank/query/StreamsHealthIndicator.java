package dev.eventbank.query;

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
 * Readiness: {@code /health} and {@code /health/readiness} are UP only while the view's Kafka Streams app is
 * RUNNING, i.e. its global store is restored, and no store is being restored. {@link StreamsLivenessIndicator}
 * says whether a restart is needed. micronaut-kafka's own {@code kafkaStreams} component is UP already while the app
 * rebalances or restores, when its answers may be old; this one waits for the store to be current.
 */
@Singleton
@Readiness
final class StreamsHealthIndicator implements HealthIndicator {

    private final KafkaStreams streams;
    private final AccountViewStreams view;

    StreamsHealthIndicator(KafkaStreams streams, AccountViewStreams view) {
        this.streams = streams;
        this.view = view;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        KafkaStreams.State state = streams.state();
        int restoring = view.restoringStores();
        HealthStatus status = ManagedStreams.canServe(state, restoring) ? HealthStatus.UP : HealthStatus.DOWN;
        return Publishers.just(HealthResult.builder("kafka-streams", status)
                .details(Map.of("state", state.name(), "restoringStores", restoring))
                .build());
    }
}
