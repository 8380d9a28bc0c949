package dev.eventbank.projection;

import dev.eventbank.projection.rebuild.ProjectionGeneration;
import dev.eventbank.projection.rebuild.ProjectionGenerations;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.KafkaStreams;
import org.reactivestreams.Publisher;

import java.util.Map;

/**
 * {@code /health} is UP only while the active generation's Kafka Streams app is RUNNING; a rebuild running next to
 * it does not change the health (it is reported by {@code GET /admin/rebuild}).
 */
@Singleton
final class StreamsHealthIndicator implements HealthIndicator {

    private final ProjectionGenerations generations;

    StreamsHealthIndicator(ProjectionGenerations generations) {
        this.generations = generations;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        ProjectionGeneration active = generations.active();
        KafkaStreams.State state = active.streams().state();
        HealthStatus status = state == KafkaStreams.State.RUNNING ? HealthStatus.UP : HealthStatus.DOWN;
        return Publishers.just(HealthResult.builder("kafka-streams", status)
                .details(Map.of("state", state.name(), "generation", active.number(),
                        "applicationId", active.applicationId()))
                .build());
    }
}
