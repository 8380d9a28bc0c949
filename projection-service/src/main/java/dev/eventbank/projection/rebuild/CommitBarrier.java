package dev.eventbank.projection.rebuild;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;

import java.util.HashMap;
import java.util.Map;

/**
 * Says when everything a generation published before its publishing closed has been committed: when every stream
 * thread that had active tasks at that moment has completed a commit since, or has ended.
 *
 * <p>Why this is enough: a stream thread processes records and commits in turn, so a record whose publish check
 * came before the gate closed was processed before the start of the thread's next commit, and that commit (or an
 * earlier one) holds its output. The first commit to complete after the gate closed is that one or a later one,
 * since a commit already under way when the gate closed started after every record processed before it. A thread
 * that ended (replaced after an error, or shut down) never commits what it held: its transaction is aborted or
 * times out, and a {@code read_committed} consumer never sees it.
 *
 * <p>How a commit is seen: Kafka Streams' thread metric {@code stream-thread-metrics} / {@code commit-total}, which
 * the thread records once per loop in which {@code maybeCommit} committed at least one task, after the transaction
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
    static final String THREAD_TAG = "thread-id";

    /** Commits counted so far by each thread that had active tasks when the barrier was set. */
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
     * @return whether every thread of the barrier has counted a commit since it was set, or is gone
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
     * The commits each of {@code streams}' threads with active tasks has counted so far: thread name to
     * {@code commit-total}; a thread with active tasks and no such metric yet counts 0.
     */
    static Map<String, Double> commitsByThread(KafkaStreams streams) {
        Map<String, Double> totals = new HashMap<>();
        for (Map.Entry<MetricName, ? extends Metric> metric : streams.metrics().entrySet()) {
            MetricName name = metric.getKey();
            if (METRICS_GROUP.equals(name.group()) && COMMIT_TOTAL.equals(name.name())
                    && metric.getValue().metricValue() instanceof Double total) {
                totals.put(name.tags().get(THREAD_TAG), total);
            }
        }
        Map<String, Double> withTasks = new HashMap<>();
        for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
            if (!thread.activeTasks().isEmpty()) {
                withTasks.put(thread.threadName(), totals.getOrDefault(thread.threadName(), 0.0));
            }
        }
        return withTasks;
    }
}
