package dev.eventbank.projection;

import dev.eventbank.projection.rebuild.ProjectionGeneration;
import dev.eventbank.projection.rebuild.ProjectionGenerations;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.support.streams.ManagedStreams;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import io.micronaut.management.health.indicator.annotation.Readiness;
import jakarta.inject.Singleton;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.reactivestreams.Publisher;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Readiness: {@code /health} and {@code /health/readiness} are UP only once the active generation can answer with
 * current data: its Kafka Streams app is RUNNING, no store is being restored, and every partition of
 * {@code bank-account-events} it owns has caught up with the log at least once since it was assigned (the stream
 * thread's {@code records-lag} is 0, or the last event it processed there is at most {@code maxLag} old, see
 * {@link ProjectionLagMetrics}). A restart or a failover that brings a backlog is not ready until the backlog is
 * processed; once caught up, a partition stays counted as caught up while this instance owns it, so lag under load
 * shows in the lag metrics rather than flipping readiness. A rebuild running next to the active generation does not
 * change the health (it is reported by {@code GET /admin/rebuild}). {@link StreamsLivenessIndicator} says whether a
 * restart is needed.
 *
 * <p>Limits: judged when asked (a probe), so a partition that caught up and fell behind again between two probes
 * is not noticed; the lag is as fresh as the consumer's last fetch.
 */
@Singleton
@Readiness
final class StreamsHealthIndicator implements HealthIndicator {

    private final ProjectionGenerations generations;
    private final long maxLagMs;
    /** Partitions of the active generation that have caught up once; reset when the generation changes. */
    private final Set<TopicPartition> caughtUp = new HashSet<>();
    private long caughtUpGeneration = -1;

    StreamsHealthIndicator(ProjectionGenerations generations,
                           @Value("${eventbank.streams.ready-max-lag:1s}") Duration maxLag) {
        this.generations = generations;
        this.maxLagMs = maxLag.toMillis();
    }

    @Override
    public Publisher<HealthResult> getResult() {
        ProjectionGeneration active = generations.active();
        KafkaStreams.State state = active.streams().state();
        int restoring = active.streams().restoringStores();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("state", state.name());
        details.put("restoringStores", restoring);
        details.put("generation", active.number());
        details.put("applicationId", active.applicationId());
        boolean ready = ManagedStreams.canServe(state, restoring);
        if (ready) {
            try {
                Set<TopicPartition> behind = behind(active);
                details.put("partitionsCatchingUp", behind.stream().map(TopicPartition::partition).sorted().toList());
                ready = behind.isEmpty();
            } catch (IllegalStateException e) {
                // Kafka Streams left RUNNING between the two looks
                details.put("error", e.getMessage());
                ready = false;
            }
        }
        return Publishers.just(HealthResult.builder("kafka-streams", ready ? HealthStatus.UP : HealthStatus.DOWN)
                .details(details)
                .build());
    }

    /** The owned event-log partitions that have not caught up once since they were assigned. */
    private synchronized Set<TopicPartition> behind(ProjectionGeneration active) {
        if (caughtUpGeneration != active.number()) {
            caughtUp.clear();
            caughtUpGeneration = active.number();
        }
        Set<TopicPartition> owned = new HashSet<>();
        for (ThreadMetadata thread : active.streams().kafkaStreams().metadataForLocalThreads()) {
            for (TaskMetadata task : thread.activeTasks()) {
                task.topicPartitions().stream().filter(partition -> partition.topic().equals(Topics.EVENTS.name()))
                        .forEach(owned::add);
            }
        }
        caughtUp.retainAll(owned);
        ProjectionLagMetrics lag = new ProjectionLagMetrics(active.streams().kafkaStreams()::metrics,
                active.progress(), 0, System::currentTimeMillis);
        Set<TopicPartition> behind = new HashSet<>();
        for (TopicPartition partition : owned) {
            if (caughtUp.contains(partition)) {
                continue;
            }
            double ms = lag.lagMs(partition.partition());
            if (!Double.isNaN(ms) && ms <= maxLagMs) {
                caughtUp.add(partition);
            } else {
                behind.add(partition);
            }
        }
        return behind;
    }
}
