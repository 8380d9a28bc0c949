package dev.eventbank.command;

import dev.eventbank.command.ownership.PartitionOwnership;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import io.micronaut.management.health.indicator.annotation.Readiness;
import jakarta.inject.Singleton;
import org.reactivestreams.Publisher;

import java.util.Map;

/**
 * Readiness: {@code /health} and {@code /health/readiness} are UP once this instance joined the writers' group
 * and the writer of every partition it owns has fenced the previous owner and restored its state. Before that a
 * command for one of its partitions would wait. Details: each owned partition's writer state. See
 * {@link CommandServiceLiveness} for whether the process should be restarted.
 */
@Singleton
@Readiness
final class CommandServiceHealth implements HealthIndicator {

    private final PartitionOwnership ownership;

    CommandServiceHealth(PartitionOwnership ownership) {
        this.ownership = ownership;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        boolean up = ownership.isReady();
        return Publishers.just(HealthResult.builder("command-service", up ? HealthStatus.UP : HealthStatus.DOWN)
                .details(Map.of("partitions", ownership.writerStates(),
                        "endpoint", String.valueOf(ownership.endpoint())))
                .build());
    }
}
