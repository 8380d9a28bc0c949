package dev.eventbank.projection;

import dev.eventbank.projection.rebuild.ProjectionGeneration;
import dev.eventbank.projection.rebuild.ProjectionGenerations;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.support.settings.Settings;
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
 * {@code bank-account-events} it owns has caught up with the log at least once since it was assigned (the last event
 * it processed there is at most {@code maxLag} old, or nothing is left to process: {@link #caughtUp}). A restart or a failover that brings a backlog is not ready until the backlog is
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
        this.maxLagMs = Settings.notNegative("eventbank.streams.ready-max-lag", maxLag).toMillis();
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
        Map<TopicPartition, Long> committed = new java.util.HashMap<>();
        Map<TopicPartition, Long> ends = new java.util.HashMap<>();
        for (ThreadMetadata thread : active.streams().kafkaStreams().metadataForLocalThreads()) {
            for (TaskMetadata task : thread.activeTasks()) {
                task.topicPartitions().stream().filter(partition -> partition.topic().equals(Topics.EVENTS.name()))
                        .forEach(owned::add);
                committed.putAll(task.committedOffsets());
                ends.putAll(task.endOffsets());
            }
        }
        caughtUp.retainAll(owned);
        ProjectionLagMetrics lag = new ProjectionLagMetrics(active.streams().kafkaStreams()::metrics,
                active.progress(), 0, System::currentTimeMillis);
        Set<TopicPartition> behind = new HashSet<>();
        long now = System.currentTimeMillis();
        for (TopicPartition partition : owned) {
            if (caughtUp.contains(partition)) {
                continue;
            }
            if (caughtUp(lag.lag(String.valueOf(partition.partition())), active.progress().lastTimestamp(partition.partition()),
                    committed.getOrDefault(partition, null), ends.getOrDefault(partition, null), now, maxLagMs)) {
                caughtUp.add(partition);
            } else {
                behind.add(partition);
            }
        }
        return behind;
    }

    /**
     * Whether one owned partition of the log has caught up: its last processed event is at most {@code maxLagMs} old,
     * or nothing is left to process. The consumer's {@code records-lag} alone does not say the latter: it counts from
     * the fetch position, and Kafka Streams fetches up to {@code buffered.records.per.partition} records ahead of what
     * it has processed, so after a restart with a backlog it reads 0 with a thousand records per partition still to
     * fold (seen: readiness UP with reads 38 to 53 s behind). So nothing is left when the fetch reached the log's end
     * and the task has committed as far as its last fetch's end offset (Kafka Streams commits the consumer's position
     * once a partition's buffer is empty, past transaction markers too), or it fetched nothing since its assignment.
     *
     * @param recordsLag     the consumer's {@code records-lag} of the partition, NaN before its first fetch
     * @param lastProcessed  timestamp (epoch ms) of the last event processed from it, null if none since the start
     * @param committed      the task's committed offset of it ({@code TaskMetadata#committedOffsets}), null before its
     *                       first commit
     * @param end            the end offset its last fetch returned records up to ({@code TaskMetadata#endOffsets}), null
     *                       when none has returned records
     */
    static boolean caughtUp(double recordsLag, Long lastProcessed, Long committed, Long end, long nowMs, long maxLagMs) {
        if (Double.isNaN(recordsLag)) {
            return false;
        }
        if (lastProcessed != null && nowMs - lastProcessed <= maxLagMs) {
            return true;
        }
        boolean fetchedToTheEnd = recordsLag <= 0;
        boolean processedWhatItFetched = end == null || end < 0 || committed != null && committed >= end;
        return fetchedToTheEnd && processedWhatItFetched;
    }
}
