package dev.eventbank.projection.pipeline;


import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where the projection is in the event log, per partition: the timestamp of the last record it processed, and how
 * many records it processed in total. The fold processor reports each record; {@code ProjectionLagMetrics} reads
 * it to turn a lag in records into a lag in milliseconds, the rebuild monitor to show events processed and
 * events/s. Thread safe, framework-free; one instance per Kafka Streams app.
 *
 * <p>Limits: the count is of records handed to the fold, so a batch retried after a failure (exactly-once aborts
 * it and processes it again) is counted twice.
 */
public final class LogProgress {

    /** Ignores every report (for tests and tools that do not need lag). */
    public static final LogProgress NONE = new LogProgress();

    private final Map<Integer, Long> lastTimestamps = new ConcurrentHashMap<>();
    private final LongAdder processed = new LongAdder();

    /** Reports one record of {@code partition} processed, with its timestamp (ms); ignored by {@link #NONE}. */
    public void processed(int partition, long timestampMs) {
        if (this != NONE) {
            lastTimestamps.put(partition, timestampMs);
            processed.increment();
        }
    }

    /**
     * Reports {@code records} records of {@code partition} processed at once, the last with timestamp {@code lastTimestampMs}
     * (a rebuild's bulk load, after each poll); ignored by {@link #NONE}.
     */
    public void processed(int partition, long lastTimestampMs, long records) {
        if (this != NONE) {
            lastTimestamps.put(partition, lastTimestampMs);
            processed.add(records);
        }
    }

    /**
     * Takes back {@code records} records reported before and not kept (a rebuild's bulk load reports the records of
     * its open transaction as it folds them and takes them back when it aborts it); ignored by {@link #NONE}.
     */
    public void retracted(long records) {
        if (this != NONE) {
            processed.add(-records);
        }
    }

    /** Timestamp (ms) of the last record processed from {@code partition}, or null if none yet. */
    public Long lastTimestamp(int partition) {
        return lastTimestamps.get(partition);
    }

    /** Records of the event log processed so far by this app (since this object was created). */
    public long processedCount() {
        return processed.sum();
    }
}
