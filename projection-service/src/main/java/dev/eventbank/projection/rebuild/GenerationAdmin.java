package dev.eventbank.projection.rebuild;

import dev.eventbank.schemas.catalog.TopicProvisioner;
import dev.eventbank.schemas.catalog.TopicSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * What the rebuild needs from the Kafka Admin API: how far a generation's consumer group is behind the end of its
 * source topics, and deleting a retired generation's consumer group and internal topics.
 *
 * <p>Lag is measured from the group's <em>committed</em> offsets against the last stable offsets (what a
 * read_committed reader can reach), per partition; a partition without a committed offset counts from its
 * earliest offset. Offsets count transaction markers too, so a partition is caught up at a lag of at most one
 * (the marker after its last transaction) and lag overstates the events left by about one per transaction.
 */
final class GenerationAdmin implements AutoCloseable {

    private static final long TIMEOUT_SECONDS = 30;

    /**
     * How far behind a generation is, in offsets: on the event log, on its internal (repartition) topics, worst
     * partition, per event-log partition; how many event-log offsets its committed positions have passed; and per
     * partition of every topic measured, the group's position (committed offset, else the earliest), the last
     * stable offset it was measured against, and the high watermark (records of open transactions included).
     */
    record Lag(long events, long internal, long worstPartition, boolean complete, Map<Integer, Long> eventsByPartition,
               long eventOffsetsPassed, Map<TopicPartition, Long> positions, Map<TopicPartition, Long> ends,
               Map<TopicPartition, Long> highWatermarks) {

        /** Every partition at most one offset (a trailing transaction marker) behind, all topics known. */
        boolean caughtUp() {
            return complete && worstPartition <= 1;
        }

        /**
         * Whether the group's positions are at or past {@code ends} on every partition in there (at most one offset
         * short: a trailing transaction marker). False while this measurement is incomplete.
         *
         * @param ends end offsets of partitions measured here, from an earlier measurement ({@link #ends()})
         */
        boolean reached(Map<TopicPartition, Long> ends) {
            return passed(ends, 1);
        }

        /**
         * Whether the group's positions are at least {@code offsets} less {@code slack} on every partition in there.
         * False while this measurement is incomplete.
         */
        boolean passed(Map<TopicPartition, Long> offsets, long slack) {
            if (!complete) {
                return false;
            }
            for (Map.Entry<TopicPartition, Long> offset : offsets.entrySet()) {
                Long position = positions.get(offset.getKey());
                if (position == null || position < offset.getValue() - slack) {
                    return false;
                }
            }
            return true;
        }

        /**
         * Events (records) left in {@code offsetsLeft} event-log offsets: offsets also number transaction markers
         * (one per transaction) and the records of aborted transactions, which are no events, so the offsets are
         * scaled by the share of events among the offsets passed so far ({@code processed} events in
         * {@link #eventOffsetsPassed}). Exact (0) once caught up; an estimate before, which grows exact as the rebuild
         * nears the end; null until the generation has committed a position (no share known yet).
         *
         * @param offsetsLeft event-log offsets still to read
         * @param processed   events the generation processed so far
         */
        Long eventsLeft(long offsetsLeft, long processed) {
            if (caughtUp() || offsetsLeft <= 0) {
                return 0L;
            }
            if (eventOffsetsPassed <= 0) {
                return null;
            }
            double share = Math.min(1.0, (double) processed / eventOffsetsPassed);
            return Math.round(offsetsLeft * share);
        }
    }

    private final Admin admin;

    /** @param connection bootstrap servers and authentication settings of the admin client */
    GenerationAdmin(Map<String, Object> connection) {
        this.admin = Admin.create(connection);
    }

    /** Kafka Streams' name for the changelog of {@code store} in app {@code applicationId}. */
    static String changelog(String applicationId, String store) {
        return applicationId + "-" + store + "-changelog";
    }

    /**
     * The changelog and repartition topics an app with this topology creates under {@code applicationId}: one
     * changelog per logged store, one per repartition source (names as Kafka Streams derives them).
     */
    static Set<String> internalTopics(Topology topology, String applicationId) {
        Set<String> topics = new TreeSet<>();
        for (TopologyDescription.Subtopology subtopology : topology.describe().subtopologies()) {
            for (TopologyDescription.Node node : subtopology.nodes()) {
                if (node instanceof TopologyDescription.Processor processor) {
                    processor.stores().forEach(store -> topics.add(changelog(applicationId, store)));
                }
                if (node instanceof TopologyDescription.Source source && source.topicSet() != null) {
                    source.topicSet().stream().filter(topic -> topic.endsWith("-repartition"))
                            .map(topic -> topic.startsWith(applicationId + "-") ? topic : applicationId + "-" + topic)
                            .forEach(topics::add);
                }
            }
        }
        return topics;
    }

    /** The entries of {@code offsets} on {@code topic} ({@code onTopic}), or on every other topic. */
    static Map<TopicPartition, Long> partitionsOf(Map<TopicPartition, Long> offsets, String topic, boolean onTopic) {
        Map<TopicPartition, Long> of = new HashMap<>(offsets);
        of.keySet().removeIf(partition -> partition.topic().equals(topic) != onTopic);
        return of;
    }

    /**
     * The group's committed offsets on those of {@code partitions} that none is pending on: offsets committed in a
     * transaction whose markers the broker has not written yet are reported as the offset before by a plain fetch,
     * and with {@code requireStable} (KIP-447) the admin client leaves such a partition out of its answer (logging
     * "Skipping return offset", silenced in logback.xml), so the caller asks again for the rest.
     *
     * @param timeout how long the call may take
     * @return offset by partition answered, -1 for one the group never committed; a pending partition is left out
     * @throws Exception the Admin API's failure, or a timeout
     */
    Map<TopicPartition, Long> stablePositions(String applicationId, Set<TopicPartition> partitions, Duration timeout)
            throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(
                        Map.of(applicationId, new ListConsumerGroupOffsetsSpec().topicPartitions(partitions)),
                        new ListConsumerGroupOffsetsOptions().requireStable(true))
                .partitionsToOffsetAndMetadata(applicationId).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, Long> positions = new HashMap<>();
        committed.forEach((partition, offset) -> positions.put(partition, offset == null ? -1L : offset.offset()));
        return positions;
    }

    /** The partitions of {@code topic}; none when it does not exist. */
    Set<TopicPartition> partitionsOf(String topic, Duration timeout) throws Exception {
        try {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic);
            Set<TopicPartition> partitions = new java.util.HashSet<>();
            description.partitions().forEach(partition -> partitions.add(new TopicPartition(topic, partition.partition())));
            return partitions;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Set.of();
            }
            throw e;
        }
    }

    /** The internal topics among {@code topics} that feed processing (repartition topics), for the lag. */
    static List<String> repartitionTopics(Collection<String> topics) {
        return topics.stream().filter(topic -> topic.endsWith("-repartition")).toList();
    }

    Lag lag(String applicationId, String eventsTopic, List<String> internalSources) throws Exception {
        List<String> topics = new ArrayList<>(internalSources);
        topics.add(eventsTopic);
        Map<String, TopicDescription> descriptions;
        try {
            descriptions = admin.describeTopics(topics).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                // the new generation has not created its internal topics yet
                return new Lag(-1, -1, Long.MAX_VALUE, false, Map.of(), 0, Map.of(), Map.of(), Map.of());
            }
            throw e;
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        descriptions.forEach((topic, description) -> description.partitions().forEach(partition -> {
            TopicPartition tp = new TopicPartition(topic, partition.partition());
            latest.put(tp, OffsetSpec.latest());
            earliest.put(tp, OffsetSpec.earliest());
        }));
        // committed positions first, so the ends are never older than the positions measured against them
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(applicationId)
                .partitionsToOffsetAndMetadata().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        ListOffsetsOptions readCommitted = new ListOffsetsOptions(IsolationLevel.READ_COMMITTED);
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                admin.listOffsets(latest, readCommitted).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts =
                admin.listOffsets(earliest, readCommitted).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        Map<TopicPartition, Long> highWatermarks = new HashMap<>();
        admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all()
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .forEach((partition, info) -> highWatermarks.put(partition, info.offset()));
        long events = 0;
        long internal = 0;
        long worst = 0;
        long passed = 0;
        Map<Integer, Long> byPartition = new HashMap<>();
        Map<TopicPartition, Long> positions = new HashMap<>();
        Map<TopicPartition, Long> endOffsets = new HashMap<>();
        for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end : ends.entrySet()) {
            OffsetAndMetadata position = committed.get(end.getKey());
            long from = position != null ? position.offset() : starts.get(end.getKey()).offset();
            positions.put(end.getKey(), from);
            endOffsets.put(end.getKey(), end.getValue().offset());
            long lag = Math.max(0, end.getValue().offset() - from);
            worst = Math.max(worst, lag);
            if (end.getKey().topic().equals(eventsTopic)) {
                events += lag;
                passed += Math.max(0, from - starts.get(end.getKey()).offset());
                byPartition.put(end.getKey().partition(), lag);
            } else {
                internal += lag;
            }
        }
        return new Lag(events, internal, worst, true, byPartition, passed, positions, endOffsets, highWatermarks);
    }

    /** Number of members in the group; 0 when it is empty or does not exist. */
    int members(String groupId) throws Exception {
        try {
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(groupId)).describedGroups()
                    .get(groupId).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return description.members().size();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return 0;
            }
            throw e;
        }
    }

    /**
     * Deletes the consumer group {@code applicationId} (if it exists) and those of {@code internalTopics} that
     * exist. Refuses (IllegalStateException) while the group still has members: another instance still runs
     * that generation and needs its topics.
     *
     * @return the topics deleted
     */
    List<String> deleteGeneration(String applicationId, Set<String> internalTopics) throws Exception {
        try {
            admin.deleteConsumerGroups(List.of(applicationId)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupNotEmptyException) {
                throw new IllegalStateException("consumer group " + applicationId + " still has members (another "
                        + "instance runs that generation); its group and internal topics are kept");
            }
            if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                throw e;
            }
        }
        Set<String> existing = topicNames();
        List<String> doomed = internalTopics.stream().filter(existing::contains).toList();
        if (!doomed.isEmpty()) {
            admin.deleteTopics(doomed).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        return doomed;
    }

    /** The names of every topic of the cluster (internal ones not included). */
    Set<String> topicNames() throws Exception {
        return admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** Creates the topics that are missing (idempotent, checks partition counts of existing ones). */
    void ensureTopics(Collection<TopicSpec> topics, int partitions, short replicationFactor) {
        new TopicProvisioner(admin, partitions, replicationFactor).ensure(topics);
    }

    @Override
    public void close() {
        admin.close(java.time.Duration.ofSeconds(5));
    }
}
