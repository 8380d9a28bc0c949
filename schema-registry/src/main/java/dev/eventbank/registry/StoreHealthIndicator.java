package dev.eventbank.registry;

import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import io.micronaut.management.health.indicator.annotation.Readiness;
import jakarta.inject.Singleton;
import org.reactivestreams.Publisher;

import java.util.Map;

/**
 * Readiness: {@code /health} and {@code /health/readiness} are UP only once the store has caught up with its
 * topic and while its reader is running.
 */
@Singleton
@Readiness
final class StoreHealthIndicator implements HealthIndicator {

    private final KafkaSchemaStore store;

    StoreHealthIndicator(KafkaSchemaStore store) {
        this.store = store;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        boolean ready = store.isReady();
        return Publishers.just(HealthResult.builder("schema-store", ready ? HealthStatus.UP : HealthStatus.DOWN)
                .details(Map.of("topic", store.topic(), "caughtUp", ready, "nextOffset", store.nextOffset()))
                .build());
    }
}
