package dev.eventbank.projection.rebuild;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;

import java.util.HashMap;
import java.util.Map;

/**
 * Says when everything a generation published before its publishing closed has been committed: when every stream
 * thread that may have held a task at that moment has completed a commit since, or has ended, or runs without a task.
 *
 * <p>Why this is enough: a stream thread processes records and commits in turn, so a record whose publish check
 * came before the gate closed was processed before the start of the thread's next commit, and that commit (or an
 * earlier one) holds its output. The first commit to complete after the gate closed is that one or a later one,
 * since a commit already under way when the gate closed started after every record processed before it. A thread
 * that ended (replaced after an error, or shut down) never commits what it held: its transaction is aborted or
 * times out, and a {@code read_committed} consumer never sees it.
 *
 * <p>How a commit is seen: Kafka Streams' thread metric {@code stream-thread-metrics} / {@code commit-total}, which
 * the thread records once per {@code maybeCommit} call that committed at least one task, after the transaction
 * committed ({@code StreamThread.runOnceWithoutProcessingThreads}, kafka-streams 4.3.1, read in its bytecode).
 * Commits made during a rebalance are not counted; waiting for the next counted one only waits longer. The active
 * generation's wall-clock re-publish check ({@code Publishing.onRepublishRequest}) makes every task with it commit
 * at least once per commit interval, so an idle thread passes too.
 *
 * <p>Replaces a fixed wait (the commit interval plus 0.5 s) after which the committed positions were read, which a
 * slower commit (a loaded broker, a stalled thread) could outlast and so let an older value through at the switch.
 */
final class CommitBarrier {

    static final String METRICS_GROUP = "stream-thread-metrics";
    static final String COMMIT_TOTAL = "commit-total";
    /** The thread state gauge, the state's name (the "thread-state" metric is a number for telemetry). */
    static final String THREAD_STATE = "state";
    static final String THREAD_TAG = "thread-id";

    /** Commits counted so far by each thread that may have held a task when the barrier was set. */
    private final Map<String, Double> before;

    private CommitBarrier(Map<String, Double> before) {
        this.before = Map.copyOf(before);
    }

    /**
     * @param commitsByThread {@link #commitsByThread}, read after the gate closed
     * @return a barrier that every thread in {@code commitsByThread} must pass
     */
    static CommitBarrier after(Map<String, Double> commitsByThread) {
        return new CommitBarrier(commitsByThread);
    }

    /**
     * @param commitsByThread {@link #commitsByThread} now
     * @return whether every thread of the barrier has counted a commit since it was set, or is gone, or holds nothing
     */
    boolean passed(Map<String, Double> commitsByThread) {
        return before.keySet().stream().allMatch(thread -> passed(thread, commitsByThread));
    }

    /** The threads of the barrier that have not counted a commit since it was set, for a log line. */
    String waitingFor(Map<String, Double> commitsByThread) {
        return before.keySet().stream().filter(thread -> !passed(thread, commitsByThread)).sorted().toList().toString();
    }

    private boolean passed(String thread, Map<String, Double> commitsByThread) {
        Double now = commitsByThread.get(thread);
        return now == null || now > before.get(thread);
    }

    /**
     * The commits each of {@code streams}' live threads has counted so far ({@code commit-total}; 0 before its first),
     * by thread name, leaving out the threads that hold nothing: those {@code RUNNING} with no active task.
     *
     * <p>Why the state is read live: a thread's {@link ThreadMetadata} is refreshed only when the thread enters
     * {@code RUNNING}, while it also processes in {@code PARTITIONS_ASSIGNED}, so a thread that had no task at its
     * last {@code RUNNING} may hold some now; only one {@code RUNNING} now has the task list it shows
     * ({@code StreamThread.setState}, kafka-streams 4.3.1). A thread that gave its tasks up in a rebalance committed
     * or aborted what they held then.
     */
    static Map<String, Double> commitsByThread(KafkaStreams streams) {
        Map<String, Double> totals = new HashMap<>();
        Map<String, String> states = new HashMap<>();
        for (Map.Entry<MetricName, ? extends Metric> metric : streams.metrics().entrySet()) {
            MetricName name = metric.getKey();
            if (!METRICS_GROUP.equals(name.group())) {
                continue;
            }
            Object value = metric.getValue().metricValue();
            if (COMMIT_TOTAL.equals(name.name()) && value instanceof Double total) {
                totals.put(name.tags().get(THREAD_TAG), total);
            } else if (THREAD_STATE.equals(name.name()) && value != null) {
                states.put(name.tags().get(THREAD_TAG), value.toString());
            }
        }
        Map<String, Double> holding = new HashMap<>();
        for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
            String state = states.getOrDefault(thread.threadName(), thread.threadState());
            if (!"RUNNING".equals(state) || !thread.activeTasks().isEmpty()) {
                holding.put(thread.threadName(), totals.getOrDefault(thread.threadName(), 0.0));
            }
        }
        return holding;
    }
}
