package dev.eventbank.projection.pipeline;

import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessingContext;

import java.time.Duration;

/**
 * When a projection generation commits, by how fresh its events are. Kafka Streams' own {@code commit.interval.ms}
 * is set to the long <em>backlog</em> interval (1 s by default, {@code eventbank.streams.backlog-commit-interval-ms});
 * on top of it the processors ask for commits ({@code ProcessorContext#commit()}) while the events they handle are
 * fresh (written less than {@link CommitAfterPause#FRESH_MS} ago):
 * <ul>
 *   <li>a fresh event written after a pause at once ({@link CommitAfterPause});</li>
 *   <li>other fresh events at most {@code freshIntervalMs} (100 ms, {@code eventbank.streams.commit-interval-ms})
 *       after they were handled: when that long has passed since this stream thread's last request, the event asks
 *       at once; otherwise a wall-clock tick of its task, scheduled for that, asks one interval later, unless another
 *       task of the thread asked after the task's last record (that commit took it).</li>
 * </ul>
 * So a live projection that keeps up commits as it did with a 20 ms interval (read-your-writes unchanged), while a
 * rebuild, and a live projection more than a second behind, read old events, ask nothing and commit once per backlog
 * interval.
 *
 * <p>Why: each exactly-once commit makes the stream thread wait for the producer's flush and for a round trip to the
 * transaction coordinator, and writes a marker to every partition the transaction touched (the changelogs of the
 * stores, the state topic, the totals' repartition topic, the offsets), whatever it holds. With a 20 ms interval a
 * rebuild's stream thread waited 8.0 s of 40 s on commits, with this pacing 2.7 s; on a quieter machine main's
 * rebuild with a 1 s interval reached 26,186 events/s steady against 6,794 with 20 ms (docs/read-side-performance.md,
 * "Throughput"). A longer interval also lets the state store's cache merge an account's changes within one commit
 * into one changelog record.
 *
 * <p>One instance per generation; the time of the last request is kept per stream thread, since a request commits
 * every task of the asking thread (exactly-once v2: one transaction per thread) and no other.
 */
public final class CommitPacing {

    /** Never asks: every commit waits for Kafka Streams' interval (tests, and a pacing switched off). */
    public static final CommitPacing NEVER = new CommitPacing(CommitAfterPause.NEVER, -1, true);

    private final CommitAfterPause afterPause;
    private final long freshIntervalMs;
    private final ThreadLocal<ThreadRequests> requests = ThreadLocal.withInitial(ThreadRequests::new);

    /** One stream thread's commit requests: when it last asked (its clock, ms) and how many times it asked. */
    private static final class ThreadRequests {
        long lastAt = Long.MIN_VALUE / 2;
        long count;
    }

    /**
     * @param afterPause      the rule for a fresh event after a pause (commit at once)
     * @param freshIntervalMs fresh events are committed at most this many ms after they were handled; 0 = each fresh
     *                        event asks for a commit
     * @throws IllegalArgumentException for a negative interval
     */
    public CommitPacing(CommitAfterPause afterPause, long freshIntervalMs) {
        this(afterPause, freshIntervalMs, false);
        if (freshIntervalMs < 0) {
            throw new IllegalArgumentException("fresh commit interval must be >= 0 ms, was " + freshIntervalMs);
        }
    }

    /** {@code freshIntervalMs} -1: fresh events ask for nothing (only {@link #NEVER}). */
    private CommitPacing(CommitAfterPause afterPause, long freshIntervalMs, boolean never) {
        this.afterPause = afterPause;
        this.freshIntervalMs = never ? -1 : freshIntervalMs;
    }

    /** The pacing of one task's processor, on its {@code context}. Call from the processor's {@code init}. */
    public Task forTask(ProcessingContext context) {
        return new Task(context);
    }

    /** One task's side of the pacing; used only by the stream thread running the task. */
    public final class Task {

        private final ProcessingContext context;
        /** a fresh record was handled and no commit was asked for since */
        private boolean pending;
        /** how many commits the stream thread had asked for when the last pending record was handled */
        private long pendingAfterRequest;
        /** the wall-clock tick, scheduled only while something is pending (see {@link #handled}) */
        private Cancellable tick;

        private Task(ProcessingContext context) {
            this.context = context;
        }

        /**
         * After handling an event read from the log: asks for a commit when it is due (see the class comment).
         *
         * @param eventAtMs the record's timestamp (epoch ms: when the command writer wrote the event)
         */
        public void eventHandled(long eventAtMs) {
            long now = context.currentSystemTimeMs();
            if (afterPause.afterPause(eventAtMs, now)) {
                request(now);
            } else {
                handled(eventAtMs, now);
            }
        }

        /**
         * After handling a record derived from an event (a repartitioned totals delta, stamped with the event's
         * timestamp): commits it at the fresh pace, so that what it produced is not held for the backlog interval.
         */
        public void derivedHandled(long eventAtMs) {
            handled(eventAtMs, context.currentSystemTimeMs());
        }

        private void handled(long eventAtMs, long now) {
            if (freshIntervalMs < 0 || now - eventAtMs > CommitAfterPause.FRESH_MS) {
                return;
            }
            ThreadRequests thread = requests.get();
            if (now - thread.lastAt >= freshIntervalMs) {
                request(now);
            } else {
                pending = true;
                pendingAfterRequest = thread.count;
                if (tick == null) {
                    // scheduled only now: a punctuation that fires makes the stream thread halve the records it
                    // processes per round (StreamThread#runOnce), so a standing 20 ms tick per task slowed a rebuild,
                    // which never needs it, to the rate of the 20 ms commits it replaced
                    tick = context.schedule(Duration.ofMillis(freshIntervalMs), PunctuationType.WALL_CLOCK_TIME,
                            this::tick);
                }
            }
        }

        private void tick(long now) {
            tick.cancel();
            tick = null;
            // another task of this thread may have asked since this task's last record: that commit took this task's
            // records too (one transaction per thread), and asking again would commit nothing new. Counted, not timed:
            // a record handled in the same millisecond after the commit, or a wall clock stepping back, must not pass
            // for committed. Without this check every task with a record pending asked on its own tick: at one client
            // spread over 12 partitions the projection committed about 40 times a second, with it 16 to 22 (the
            // broker's TxnOffsetCommit rate, 2026-12-02)
            if (pending && requests.get().count == pendingAfterRequest) {
                request(now);
            }
            pending = false;
        }

        private void request(long now) {
            pending = false;
            ThreadRequests thread = requests.get();
            thread.lastAt = now;
            thread.count++;
            context.commit();
        }
    }
}
