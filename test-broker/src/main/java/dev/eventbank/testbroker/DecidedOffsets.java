package dev.eventbank.testbroker;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Where a test may read a transactional topic to, or compare its offsets, after an answer it waited for: the end
 * offsets of some partitions once every transaction that had written to them before the call is decided.
 *
 * <p>Why tests need it: our writers answer when {@code commitTransaction()} returns, and with transactions version
 * 2 (Kafka 4) the coordinator writes the commit markers after that. Right after a 2xx, a read_committed reader's
 * end (the last stable offset) can still stop before the command's records, and the high watermark still lacks
 * the marker, so "read to the end" misses the command and "the end did not move" sees the marker arrive later
 * (both failed CI runs: {@code PartitionWriterIT} read version 1 of 2 on 2026-12-02).
 *
 * <p>The wait: take the high watermarks (read_uncommitted), then ask for the last stable offsets until each has
 * reached them. Once reached they are equal unless a transaction started meanwhile, so the returned offsets count
 * every record and marker written before the call. A transaction that stays open (a fault test's zombie) cannot
 * be waited out: after {@code timeout} the last stable offsets are returned as they are.
 */
public final class DecidedOffsets {

    private static final long POLL_MILLIS = 5;

    private DecidedOffsets() {
    }

    /**
     * The decided end offsets of {@code partitions}.
     *
     * @param admin      a client of the broker holding the partitions (any principal allowed to describe them)
     * @param partitions the partitions, of one or more topics
     * @param timeout    how long to wait at most for open transactions to be decided; some milliseconds normally
     * @return each partition's last stable offset: at or past its high watermark at the call, unless the timeout
     *         passed first
     * @throws IllegalStateException when the broker does not answer (the cause attached)
     */
    public static Map<TopicPartition, Long> of(Admin admin, Collection<TopicPartition> partitions, Duration timeout) {
        Map<TopicPartition, Long> written = ends(admin, partitions, IsolationLevel.READ_UNCOMMITTED);
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<TopicPartition, Long> stable = ends(admin, partitions, IsolationLevel.READ_COMMITTED);
        while (partitions.stream().anyMatch(p -> stable.get(p) < written.get(p)) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            stable.putAll(ends(admin, partitions, IsolationLevel.READ_COMMITTED));
        }
        return stable;
    }

    /**
     * {@link #of(Admin, Collection, Duration)} with an admin client of {@code clientConfig} made for the call.
     *
     * @param clientConfig the Kafka client settings: {@code bootstrap.servers}, and security settings if any
     */
    public static Map<TopicPartition, Long> of(Map<String, Object> clientConfig, Collection<TopicPartition> partitions,
                                               Duration timeout) {
        try (Admin admin = Admin.create(clientConfig)) {
            return of(admin, partitions, timeout);
        }
    }

    /**
     * {@link #of(Admin, Collection, Duration)} for every partition of {@code topic}, with an admin client of
     * {@code clientConfig} made for the call.
     *
     * @param clientConfig the Kafka client settings: {@code bootstrap.servers}, and security settings if any
     * @param topic        an existing topic
     */
    public static Map<TopicPartition, Long> of(Map<String, Object> clientConfig, String topic, Duration timeout) {
        try (Admin admin = Admin.create(clientConfig)) {
            List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic)
                    .partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            return of(admin, partitions, timeout);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not describe " + topic, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted describing " + topic, e);
        }
    }

    private static Map<TopicPartition, Long> ends(Admin admin, Collection<TopicPartition> partitions,
                                                  IsolationLevel isolation) {
        Map<TopicPartition, OffsetSpec> latest = partitions.stream()
                .collect(Collectors.toMap(Function.identity(), p -> OffsetSpec.latest()));
        try {
            return admin.listOffsets(latest, new ListOffsetsOptions(isolation)).all().get().entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset(), (a, b) -> a, HashMap::new));
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not list the end offsets of " + partitions, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted listing the end offsets of " + partitions, e);
        }
    }
}
