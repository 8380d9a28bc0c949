package dev.eventbank.projection.pipeline;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Decides when an event should be committed at once rather than at the next commit interval: when it is fresh and
 * was written after a pause in the event stream. One instance per projection generation, shared by all its fold
 * tasks.
 *
 * <p>Why: Kafka Streams commits when {@code commit.interval.ms} has passed since its last commit
 * ({@code StreamThread#maybeCommit}). On a quiet system that last commit is often only milliseconds old (the
 * bank-totals task commits the fold's repartitioned delta one interval after the fold did), so a lone event waited
 * up to a whole interval before its new state became readable: with a 20 ms interval, the state was readable p50
 * 21 ms after the command's 2xx, the event itself 0.4 ms after it (docs/read-side-performance.md). Such an event
 * asks for a commit ({@code ProcessorContext#commit()}), which the stream thread makes right after its current
 * processing round.
 *
 * <p>The pause is measured in the events' own timestamps (when the command writer wrote them), never in processing
 * time: a round of the stream thread that took longer than the pause (a commit, say) is no pause in the input, and
 * taking it for one made every round commit and every commit hold a handful of events (measured: the live
 * projection fell to a few dozen events/s behind a backlog). Under load, or behind a backlog, the events were
 * written closer together than the pause and nothing is asked; a rebuild reads old events, which are not fresh,
 * and nothing is asked either. In both cases the interval batches many events into one transaction.
 *
 * <p>Thread-safe (a generation may run several stream threads).
 */
public final class CommitAfterPause {

    /** Never asks: every commit waits for the interval. */
    public static final CommitAfterPause NEVER = new CommitAfterPause(0);

    /**
     * An event older than this (wall clock minus event timestamp) is part of a backlog or a replay: the interval
     * batches it. Generous, so that a projection host whose clock is a little ahead still counts fresh events.
     */
    static final long FRESH_MS = 1_000;

    private final long pauseMs;
    private final AtomicLong newestEventAt = new AtomicLong(Long.MIN_VALUE / 2);

    /**
     * @param pauseMs an event written at least this many milliseconds after every event handled before it (by any
     *                task of the generation) is committed at once, if fresh; 0 = never
     */
    public CommitAfterPause(long pauseMs) {
        if (pauseMs < 0) {
            throw new IllegalArgumentException("pause must be >= 0 ms, was " + pauseMs);
        }
        this.pauseMs = pauseMs;
    }

    /**
     * Notes an event with timestamp {@code eventAtMs} (epoch ms, the record's timestamp) handled at {@code nowMs}
     * (the stream thread's wall clock, epoch ms) and says whether its task should ask for a commit now: it was written
     * at least the pause after the newest event before it, and at most {@link #FRESH_MS} ago.
     */
    boolean afterPause(long eventAtMs, long nowMs) {
        long newestBefore = newestEventAt.getAndAccumulate(eventAtMs, Math::max);
        return pauseMs > 0 && eventAtMs - newestBefore >= pauseMs && nowMs - eventAtMs <= FRESH_MS;
    }
}
