package dev.eventbank.projection;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Decides when an event should be committed at once rather than at the next commit interval: when it follows a
 * pause in the event stream. One instance per projection generation, shared by all its fold tasks.
 *
 * <p>Why: Kafka Streams commits when {@code commit.interval.ms} has passed since its last commit
 * ({@code StreamThread#maybeCommit}). On a quiet system that last commit is often only milliseconds old (the
 * bank-totals task commits the fold's repartitioned delta one interval after the fold did), so a lone event waited
 * up to a whole interval before its new state became readable: with a 20 ms interval, command-to-visible was
 * p50 21 ms between the event being readable and the state being readable (docs/read-side-performance.md). An
 * event that follows a pause asks for a commit ({@code ProcessorContext#commit()}), which the stream thread makes
 * right after its current processing round. Under load the events come closer together than the pause, nothing
 * is asked, and the interval batches many events into one transaction as before.
 *
 * <p>Thread-safe (a generation may run several stream threads).
 */
final class CommitAfterPause {

    /** Never asks: every commit waits for the interval. */
    static final CommitAfterPause NEVER = new CommitAfterPause(0);

    private final long pauseMs;
    private final AtomicLong lastEventAt = new AtomicLong(Long.MIN_VALUE / 2);

    /**
     * @param pauseMs an event at least this many milliseconds after the previous one (of any task of the
     *                generation) is committed at once; 0 = never
     */
    CommitAfterPause(long pauseMs) {
        if (pauseMs < 0) {
            throw new IllegalArgumentException("pause must be >= 0 ms, was " + pauseMs);
        }
        this.pauseMs = pauseMs;
    }

    /**
     * Notes an event handled at {@code nowMs} (the stream thread's wall clock) and says whether it came after a
     * pause, i.e. whether its task should ask for a commit now.
     */
    boolean afterPause(long nowMs) {
        long previous = lastEventAt.getAndSet(nowMs);
        return pauseMs > 0 && nowMs - previous >= pauseMs;
    }
}
