package dev.eventbank.projection;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the projection is in the event log, per partition: the timestamp of the last record it processed. The
 * fold processor reports each record; {@link ProjectionLagMetrics} reads it to turn a lag in records into a lag
 * in milliseconds. Thread safe, framework-free; one instance per Kafka Streams app.
 */
public final class LogProgress {

    /** Ignores every report (for tests and tools that do not need lag). */
    public static final LogProgress NONE = new LogProgress();

    private final Map<Integer, Long> lastTimestamps = new ConcurrentHashMap<>();

    void processed(int partition, long timestampMs) {
        if (this != NONE) {
            lastTimestamps.put(partition, timestampMs);
        }
    }

    /** Timestamp (ms) of the last record processed from {@code partition}, or null if none yet. */
    public Long lastTimestamp(int partition) {
        return lastTimestamps.get(partition);
    }
}
