package dev.eventbank.command;

import dev.eventbank.command.ownership.OwnerDirectory;
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
 * Readiness: {@code /health} and {@code /health/readiness} are UP once this instance joined the writers' group,
 * the group's assignment has settled (no rebalance under way, every partition owned, this instance owning what its
 * writers run: with cooperative rebalancing a new member's first assignment is often empty and its partitions
 * come a round later) and the writer of every partition it owns has fenced the previous owner and restored its
 * state. Before that a command could wait for a partition on the move. The settled assignment gates the first UP
 * only: later rebalances (another instance joining or leaving) leave this UP while its own writers are ready, so
 * that not every instance drops out of a load balancer at once; commands for partitions on the move wait
 * (bounded by the reply timeout) meanwhile. Details: each owned partition's writer state. See
 * {@link CommandServiceLiveness} for whether the process should be restarted.
 *
 * <p>While the broker cannot be reached or does not answer (stopped, frozen, partitioned away) it is DOWN
 * ({@code brokerReachable: false}): no command can commit then, each would be answered 503 after the reply timeout.
 * UP again by itself once the broker answers and the writers are ready.
 *
 * <p>Runs on the thread that serves the request, one of the HTTP server's Netty event loops
 * ({@code default-eventLoopGroup-N-M}, as logged from here in a test run): Micronaut's
 * {@code HealthEndpoint} returns a publisher and has no {@code @ExecuteOn}, the server's thread selection is MANUAL
 * (its default, not changed in application.yml), and {@code DefaultHealthAggregator} calls each indicator's
 * {@code getResult()} while it assembles the answer. A wait here would hold up every connection on that event loop,
 * commands included, so this never waits for the broker: it answers from what {@link OwnerDirectory} last read of
 * the writers' group ({@link OwnerDirectory#isSettled}, {@link OwnerDirectory#isBrokerReachable}), and a probe that
 * finds the newest read started more than 1 s ago starts the next one in the background.
 *
 * <p>Limits: the answer is that of the newest read that has ended, so it is at most 1 s plus one read old (a read
 * gives up after 3 s and then counts as the broker not answering) while probes come at least once a second; with
 * sparser probes it is that of the read the previous probe started (probed every 10 s, an outage or its end shows
 * one probe later than when each probe waited for its own read). The first probe after the start has nothing read
 * yet and answers DOWN.
 */
@Singleton
@Readiness
final class CommandServiceHealth implements HealthIndicator {

    private final PartitionOwnership ownership;
    private final OwnerDirectory directory;
    private volatile boolean settledOnce;

    CommandServiceHealth(PartitionOwnership ownership, OwnerDirectory directory) {
        this.ownership = ownership;
        this.directory = directory;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        boolean writersReady = ownership.isReady();
        boolean settled = settledOnce || writersReady && directory.isSettled(ownership.endpoint(), ownership.owned(),
                ownership.partitions(), java.time.Duration.ofSeconds(1));
        settledOnce = settled;
        // after the first settled assignment nothing else here asks the broker, and idle writers stay READY while
        // it is gone (measured: UP for minutes with the broker killed while every command timed out)
        boolean brokerReachable = directory.isBrokerReachable(java.time.Duration.ofSeconds(1));
        boolean up = writersReady && settled && brokerReachable;
        return Publishers.just(HealthResult.builder("command-service", up ? HealthStatus.UP : HealthStatus.DOWN)
                .details(Map.of("partitions", ownership.writerStates(), "groupSettled", settled,
                        "brokerReachable", brokerReachable, "endpoint", String.valueOf(ownership.endpoint())))
                .build());
    }
}
