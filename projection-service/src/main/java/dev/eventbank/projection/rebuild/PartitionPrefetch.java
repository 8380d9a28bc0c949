package dev.eventbank.projection.rebuild;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Reads the bulk load's partitions one after the other, each from its begin to its end, on a thread of its own, and
 * hands the records to the folding thread in the order read, up to {@code capacity} polls ahead.
 *
 * <p>Why: Kafka's consumer sends no fetch for a partition while it still holds records of it from the last one, so a
 * thread that polls one partition and folds what it got waits for each fetch in turn (the broker reading megabytes
 * and the consumer receiving them), and at each partition's end for the next partition's first fetch; the fold and
 * the fetch never overlap. Measured on the bench's 1,000,000-event log (2026-12-04): the folding thread was busy 58 %
 * of a pass. With the reading here the next records are fetched (and decompressed) while the last are folded, on the
 * machine's other core. Kafka's clients have no read-ahead of their own to turn on, and Kafka Streams, which has one,
 * is what the bulk load exists to go around (see {@link BulkLoad}).
 *
 * <p>The consumer belongs to this reader's thread from {@link #start()} until {@link #close()} returns; the caller
 * closes it after that. Failures of the consumer reach the caller as a {@link Failed} item, in order.
 */
final class PartitionPrefetch implements AutoCloseable {

    /** One partition's stretch of the log to read: offsets {@code begin} (inclusive) to {@code end} (exclusive). */
    record Segment(TopicPartition partition, long begin, long end) {
    }

    /** What the reader hands over, in the order of the segments. */
    sealed interface Item {
    }

    /**
     * One poll's records of {@code partition} (none or some past the segment's end, which the caller ignores) and the
     * consumer's position after them.
     */
    record Batch(TopicPartition partition, List<ConsumerRecord<String, byte[]>> records, long position) implements Item {
    }

    /** The reader is done with {@code partition}: at its end, or skipped. */
    record End(TopicPartition partition) implements Item {
    }

    /** The consumer failed; the reader stopped. */
    record Failed(RuntimeException error) implements Item {
    }

    private static final Duration POLL = Duration.ofMillis(500);
    /** How long a full queue is waited on before the reader looks whether it was closed. */
    private static final long OFFER_WAIT_MS = 100;

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<Segment> segments;
    private final Duration clientWait;
    private final BlockingQueue<Item> items;
    private final Set<TopicPartition> skipped = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    /** CPU time of the reading thread up to the last item it handed over, ns (the bulk load's log line reports it). */
    private volatile long cpuNanos;
    private Thread thread;

    /**
     * @param consumer   an assigned-partitions consumer (no group subscription), not used by anyone else until
     *                   {@link #close()} returns
     * @param segments   the stretches to read, in the order the caller folds them; those with {@code end <= begin}
     *                   are passed over without an item
     * @param capacity   polls read ahead at most, 1 or more
     * @param clientWait the longest a position lookup waits for the broker
     */
    PartitionPrefetch(KafkaConsumer<String, byte[]> consumer, List<Segment> segments, int capacity, Duration clientWait) {
        this.consumer = consumer;
        this.segments = List.copyOf(segments);
        this.items = new ArrayBlockingQueue<>(capacity);
        this.clientWait = clientWait;
    }

    /** Starts reading on a daemon thread named after {@code name}. */
    void start(String name) {
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * The next item, waiting at most {@code wait}; null when none came in that time.
     *
     * @throws InterruptedException when the calling thread is interrupted while waiting
     */
    Item next(Duration wait) throws InterruptedException {
        return items.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * CPU time the reading thread used up to the last item it handed over, in nanoseconds; 0 before the first, -1
     * where the JVM does not measure it.
     */
    long cpuNanos() {
        return cpuNanos;
    }

    /** Stops reading {@code partition}: the reader goes on with the next segment after an {@link End} of this one. */
    void skip(TopicPartition partition) {
        skipped.add(partition);
    }

    /** Stops the reader and waits for its thread to end, at most the client wait; the consumer is the caller's again. */
    @Override
    public void close() {
        closed = true;
        if (thread == null) {
            return;
        }
        consumer.wakeup();
        try {
            thread.join(clientWait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            for (Segment segment : segments) {
                if (segment.end() <= segment.begin()) {
                    continue;
                }
                TopicPartition partition = segment.partition();
                consumer.assign(List.of(partition));
                consumer.seek(partition, segment.begin());
                long position = segment.begin();
                while (position < segment.end() && !skipped.contains(partition)) {
                    List<ConsumerRecord<String, byte[]>> records = consumer.poll(POLL).records(partition);
                    // the position skips transaction markers and aborted records, which poll never returns
                    position = consumer.position(partition, clientWait);
                    if (!hand(new Batch(partition, records, position))) {
                        return;
                    }
                }
                if (!hand(new End(partition))) {
                    return;
                }
            }
        } catch (WakeupException e) {
            if (!closed) {
                hand(new Failed(e));
            }
        } catch (RuntimeException e) {
            hand(new Failed(e));
        }
    }

    /** Queues {@code item}, waiting while the queue is full; false once closed (nobody takes items any more). */
    private boolean hand(Item item) {
        cpuNanos = BulkLoad.currentThreadCpuNanos();
        try {
            while (!closed) {
                if (items.offer(item, OFFER_WAIT_MS, TimeUnit.MILLISECONDS)) {
                    return true;
                }
            }
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
