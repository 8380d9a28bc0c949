package dev.eventbank.command;

import dev.eventbank.command.ownership.PartitionOwnership;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import io.micronaut.management.health.indicator.annotation.Liveness;
import jakarta.inject.Singleton;
import org.reactivestreams.Publisher;

import java.util.Map;

/**
 * Liveness ({@code /health/liveness}): DOWN only when restarting the process is the way out: the thread that
 * keeps this instance in the writers' group has died. A rebalance or a restore is not a reason: it stays UP then
 * (readiness goes DOWN instead).
 *
 * <p>Limits: a broker that cannot be reached leaves the group membership retrying, so this stays UP; restarting
 * would not help.
 */
@Singleton
@Liveness
final class CommandServiceLiveness implements HealthIndicator {

    private final PartitionOwnership ownership;

    CommandServiceLiveness(PartitionOwnership ownership) {
        this.ownership = ownership;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        boolean up = ownership.isAlive();
        return Publishers.just(HealthResult.builder("command-service-liveness", up ? HealthStatus.UP : HealthStatus.DOWN)
                .details(Map.of("membership", up ? "RUNNING" : "STOPPED"))
                .build());
    }
}
