package dev.eventbank.projection.pipeline;

import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;

/**
 * Whether a projection generation writes to the public topics ({@code bank-account-state},
 * {@code bank-account-snapshots}, {@code bank-totals}, {@code bank-account-events-dlq}). A generation being rebuilt
 * from the log builds its stores without publishing, so other teams' consumers see no replay; at the switch it
 * is {@linkplain #enable(boolean) enabled}, optionally asking each task to re-publish once what it holds: the
 * current state and the latest snapshot of every account, and the bank totals (so the state, snapshot and totals
 * topics reflect the rebuilt code).
 *
 * <p>Read by the stream threads on every record, written by the rebuild monitor: volatile fields, no locks.
 * Limits: a record processed just before the switch is not published (the pass re-publishes its result); an
 * account's older snapshots are not re-published (the compacted topic keeps the latest per account anyway).
 */
public final class Publishing {

    /** Always publishing, never asked to re-publish or closed: the tests' topologies and descriptions. */
    public static final Publishing ALWAYS = new Publishing(true);

    private volatile boolean enabled;
    /** Closed for a handover: the read-model topics wait for the next generation, the dead letters do not. */
    private volatile boolean handingOver;
    private volatile long republishRequests;
    /**
     * The passes each task's processor ran, by task and processor: kept here, not in the processor, so that a task
     * re-created after a request (a rebalance, a thread replaced) and before its first check still runs the pass.
     */
    private final Map<String, Long> passesRun = new ConcurrentHashMap<>();
    /** Every task and processor of this generation that checks for requests here, on this instance. */
    private final Set<String> checking = ConcurrentHashMap.newKeySet();

    private Publishing(boolean enabled) {
        this.enabled = enabled;
    }

    /** A gate that starts closed: the generation being rebuilt. */
    public static Publishing gated() {
        return new Publishing(false);
    }

    /**
     * A gate that starts open and can be closed: the active generation, whose publishing a switch hands over, and
     * which re-publishes once after a failed handover or an abandoned rebuild. Its tasks' re-publish check is a
     * wall-clock punctuation like a rebuild's, and Kafka Streams commits a task after a punctuation: an idle
     * generation commits once per commit interval (1 s) instead of never.
     */
    public static Publishing open() {
        return new Publishing(true);
    }

    /**
     * Closes the gate: records processed from now on are not published (the generation taking over publishes them).
     * Not for {@link #ALWAYS}.
     */
    public void disable() {
        if (this == ALWAYS) {
            throw new IllegalStateException("Publishing.ALWAYS cannot be closed");
        }
        handingOver = true;
        enabled = false;
    }

    /** Whether to publish to the read-model topics (state, snapshots, totals). */
    public boolean enabled() {
        return enabled;
    }

    /**
     * Whether to dead-letter: while enabled, and also while closed for a handover ({@link #disable}), since the
     * generation taking over dead-letters only what it processes once enabled and its re-publish pass does not cover
     * the dead letters (a record of the short overlap may be dead-lettered by both).
     */
    public boolean deadLetters() {
        return enabled || handingOver;
    }

    /**
     * Opens the gate; with {@code republish} each task re-publishes once its accounts' current states and latest
     * snapshots, and the bank totals.
     */
    public void enable(boolean republish) {
        if (this == ALWAYS) {
            return;
        }
        if (republish) {
            republishRequests++;
        }
        enabled = true;
        handingOver = false;
    }

    /** How many re-publish passes were asked for so far; a task runs one pass when this grows. */
    public long republishRequests() {
        return republishRequests;
    }

    /**
     * Whether every task and processor that has checked for requests on this instance has run a pass for each request
     * asked so far (a pass counts once it returned: committed with the task's next commit, not yet). False while no task
     * checks here. A task that moved to another instance before running its pass keeps this false here.
     */
    public boolean republished() {
        long requests = republishRequests;
        // none checking yet (no task here, or not initialized): not known, so not confirmed
        return !checking.isEmpty() && checking.stream().allMatch(key -> passesRun.getOrDefault(key, 0L) == requests);
    }

    /** How often a task of a gated generation checks for a re-publish request (wall clock). */
    static final Duration REPUBLISH_CHECK = Duration.ofMillis(500);

    /**
     * For a task of a gated generation: checks every {@link #REPUBLISH_CHECK} on the task's stream thread and calls
     * {@code pass} with the punctuation time (epoch ms) once for each re-publish request this task of this processor
     * has not run yet (whichever instance of the task ran it), while the gate is open. On the stream thread, the pass
     * is ordered with the fold (no older value can overtake a newer one on a compacted topic) and commits in the same
     * exactly-once transactions. Nothing for {@link #ALWAYS}, which is never asked.
     *
     * <p>Limit: a pass counts as run once it returned; if the transaction holding it aborts afterwards it is not run
     * again, and accounts without new events keep what was published before.
     *
     * @param processor the processor's name, unique within its task (a task can hold more than one that re-publishes)
     */
    public void onRepublishRequest(ProcessorContext<?, ?> context, String processor, LongConsumer pass) {
        if (this == ALWAYS) {
            return;
        }
        String key = context.taskId() + "/" + processor;
        checking.add(key);
        context.schedule(REPUBLISH_CHECK, PunctuationType.WALL_CLOCK_TIME, now -> {
            long requests = republishRequests;
            if (requests != passesRun.getOrDefault(key, 0L) && enabled) {
                pass.accept(now);
                // counted once it ran: a pass that threw (the task migrated) runs in the task's next instance
                passesRun.put(key, requests);
            }
        });
    }
}
