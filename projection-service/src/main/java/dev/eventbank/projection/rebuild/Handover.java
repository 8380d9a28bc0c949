package dev.eventbank.projection.rebuild;

import org.apache.kafka.common.TopicPartition;

import java.util.Map;

/**
 * The last step of a switch: the public topics pass from the old generation to the new one without a value going
 * back. The old generation's publishing is closed first and, once every one of its stream threads has committed since
 * ({@link CommitBarrier}), what it published is committed up to {@code published} (its committed positions on the
 * event log, read once none is pending); this decides, one measurement of the new generation at a time,
 * when the new one has processed at least that much through its whole topology, so that its
 * one-time re-publish and everything it publishes afterwards is never older than what the old one published.
 *
 * <p>Why: with both generations publishing while the new one trailed by a fraction of a second (a switch under
 * steady writes), {@code bank-account-state} carried an account's version 69 from the old generation and then 64
 * from the new one (RebuildSwitchUnderLoadIT).
 *
 * <p>Done when, on every event-log partition, the new generation's committed position is at least the old one's;
 * or, on a quiet log, when it has been at most one offset (a trailing transaction marker, which a committed position
 * of Kafka Streams may or may not have passed) behind the log's end, unchanged, for {@code settle}; then, as in
 * {@link CatchUp}, once its repartition topics' positions reach their high watermarks taken at that measurement.
 */
final class Handover {

    private final String eventsTopic;
    private final Map<TopicPartition, Long> published;
    private final long settleNanos;
    private GenerationAdmin.Lag quietSince;
    private long quietSinceNanos;
    /** High watermarks of the repartition topics to reach; null until the event log is handed over. */
    private Map<TopicPartition, Long> internalTarget;

    /**
     * @param eventsTopic the event log's name; every other topic measured is a repartition topic
     * @param published   the old generation's committed positions on the event log, taken after its publishing
     *                    closed and its last transaction committed
     * @param settleNanos how long a quiet log must stay unchanged: more than a commit interval of the new generation
     */
    Handover(String eventsTopic, Map<TopicPartition, Long> published, long settleNanos) {
        this.eventsTopic = eventsTopic;
        this.published = Map.copyOf(published);
        this.settleNanos = settleNanos;
    }

    /**
     * @param lag         a measurement of the new generation ({@link GenerationAdmin#lag})
     * @param nowNanos    {@link System#nanoTime()} of the measurement
     * @return whether the new generation now holds at least everything the old one published
     */
    boolean done(GenerationAdmin.Lag lag, long nowNanos) {
        if (!lag.complete()) {
            return false;
        }
        if (internalTarget == null) {
            if (!lag.passed(published, 0) && !quietFor(lag, nowNanos)) {
                return false;
            }
            internalTarget = GenerationAdmin.partitionsOf(lag.highWatermarks(), eventsTopic, false);
        }
        return lag.reached(internalTarget);
    }

    /** At most one offset behind everywhere, with the same positions and ends for {@code settleNanos}. */
    private boolean quietFor(GenerationAdmin.Lag lag, long nowNanos) {
        if (!lag.caughtUp()) {
            quietSince = null;
            return false;
        }
        if (quietSince == null || !quietSince.positions().equals(lag.positions())
                || !quietSince.ends().equals(lag.ends())) {
            quietSince = lag;
            quietSinceNanos = nowNanos;
            return false;
        }
        return nowNanos - quietSinceNanos >= settleNanos;
    }
}
