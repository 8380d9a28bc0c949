package dev.eventbank.projection.rebuild;


import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * How far one rebuild is: events processed, the events left (lag), the rate over the last {@link #RATE_WINDOW}, the
 * time since it started and an ETA; {@link #sample} is fed every 250 ms by the rebuild monitor and
 * {@link #logDue} paces its progress lines. Confined to the monitor thread.
 *
 * <p>Limits: the count is of records handed to the fold (see {@code LogProgress}); the ETA assumes the recent rate.
 */
final class RebuildProgress {

    static final Duration RATE_WINDOW = Duration.ofSeconds(5);

    private final Instant startedAt = Instant.now();
    private final long startNanos = System.nanoTime();
    private final Deque<long[]> samples = new ArrayDeque<>();
    private long lastLogNanos = startNanos;
    private long processed;
    private Long lag;
    private double rate;

    /** Records a measurement at {@code nanos}: {@code processedNow} events so far, {@code eventsLeft} (null = unknown). */
    void sample(long nanos, long processedNow, Long eventsLeft) {
        processed = processedNow;
        lag = eventsLeft;
        samples.addLast(new long[] {nanos, processedNow});
        while (samples.size() > 2 && nanos - samples.peekFirst()[0] > RATE_WINDOW.toNanos()) {
            samples.removeFirst();
        }
        long[] first = samples.peekFirst();
        double seconds = (nanos - first[0]) / 1e9;
        rate = seconds > 0 ? (processedNow - first[1]) / seconds : 0;
    }

    /** True once every {@code every}: time for a progress line. */
    boolean logDue(Duration every) {
        long now = System.nanoTime();
        if (now - lastLogNanos < every.toNanos()) {
            return false;
        }
        lastLogNanos = now;
        return true;
    }

    long processed() {
        return processed;
    }

    Long lag() {
        return lag;
    }

    double rate() {
        return rate;
    }

    Instant startedAt() {
        return startedAt;
    }

    double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** Seconds left at the recent rate: 0 when nothing is left, null when unknown. */
    Double etaSeconds() {
        if (lag != null && lag == 0) {
            return 0.0;
        }
        return lag != null && rate > 0 ? lag / rate : null;
    }

    /**
     * The events left to process, for display: the committed lag (up to a commit interval old) in offsets, turned
     * into events by {@link GenerationAdmin.Lag#eventsLeft} (an estimate until caught up, null until the first commit).
     * Null while the committed lag is incomplete.
     *
     * <p>Not the stream thread's consumer {@code records-lag}: that counts from the consumer's fetch position, and
     * Kafka Streams fetches up to {@code buffered.records.per.partition} (1,000) records per partition ahead of what it
     * has processed, so on a small log it said 0 while thousands of events were still to be processed (seen in
     * {@code RebuildSwitchUnderLoadIT}'s log: "lag=0" for 50 s before the switch).
     */
    static Long displayLag(ProjectionGeneration generation, GenerationAdmin.Lag committed) {
        if (!committed.complete()) {
            return null;
        }
        long sum = committed.eventsByPartition().values().stream().mapToLong(Long::longValue).sum();
        return committed.eventsLeft(sum, generation.progress().processedCount());
    }
}
