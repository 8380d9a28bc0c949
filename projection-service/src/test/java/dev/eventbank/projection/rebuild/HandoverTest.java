package dev.eventbank.projection.rebuild;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When the new generation holds everything the old one published ({@link Handover}). */
class HandoverTest {

    private static final String EVENTS = "bank-account-events";
    private static final TopicPartition EVENTS_0 = new TopicPartition(EVENTS, 0);
    private static final TopicPartition EVENTS_1 = new TopicPartition(EVENTS, 1);
    private static final TopicPartition REPARTITION_0 = new TopicPartition("g1-bank-totals-deltas-repartition", 0);
    private static final long SETTLE = 1_500_000_000L;

    @Test
    void shouldHandOverOnceThePositionsPassTheOldOnesAndTheRepartitionTopicFollows() {
        // given: the old generation published up to offsets 100 and 60
        Handover handover = new Handover(EVENTS, Map.of(EVENTS_0, 100L, EVENTS_1, 60L), SETTLE);

        // when / then: one partition short of the old position (one offset short is not enough)
        assertFalse(handover.done(measured(99, 70, 30, 110, 75, 35), 0));
        // both passed: the repartition topic's high watermark (36) is the target, its position 30 is short
        assertFalse(handover.done(measured(100, 70, 30, 110, 75, 35), 1));
        // the repartition position reaches it (one short: the marker)
        assertTrue(handover.done(measured(104, 72, 35, 112, 78, 40), 2));
    }

    @Test
    void shouldHandOverOnAQuietLogOnlyOnceNothingMovedForTheSettleTime() {
        // given: the old generation's committed position passed the log's last marker, the new one's did not
        Handover handover = new Handover(EVENTS, Map.of(EVENTS_0, 101L, EVENTS_1, 61L), SETTLE);
        GenerationAdmin.Lag quiet = quiet(measured(100, 60, 35, 101, 61, 36));

        // when / then: at most one offset behind, but not yet for long enough
        assertFalse(handover.done(quiet, 0));
        assertFalse(handover.done(quiet, SETTLE - 1));
        assertTrue(handover.done(quiet, SETTLE));
    }

    @Test
    void shouldStartTheSettleTimeAgainWhenTheLogMoves() {
        Handover handover = new Handover(EVENTS, Map.of(EVENTS_0, 101L, EVENTS_1, 61L), SETTLE);
        assertFalse(handover.done(measured(100, 60, 35, 101, 61, 36), 0));
        // a new event was written and processed: still at most one behind, but not the same measurement
        assertFalse(handover.done(measured(100, 61, 35, 101, 62, 36), SETTLE));
        assertFalse(handover.done(measured(100, 61, 35, 101, 62, 36), 2 * SETTLE - 1));
    }

    /** The same measurement without an open transaction: high watermarks at the last stable offsets. */
    private static GenerationAdmin.Lag quiet(GenerationAdmin.Lag lag) {
        return new GenerationAdmin.Lag(lag.events(), lag.internal(), lag.worstPartition(), true, Map.of(), 0,
                lag.positions(), lag.ends(), lag.ends());
    }

    /**
     * Positions and last stable offsets of two event-log partitions and one repartition partition, with one record
     * of an open transaction on the repartition partition (its high watermark one past its last stable offset).
     */
    private static GenerationAdmin.Lag measured(long events0, long events1, long repartition0,
                                                long end0, long end1, long repartitionEnd0) {
        Map<TopicPartition, Long> positions = Map.of(EVENTS_0, events0, EVENTS_1, events1, REPARTITION_0, repartition0);
        Map<TopicPartition, Long> ends = Map.of(EVENTS_0, end0, EVENTS_1, end1, REPARTITION_0, repartitionEnd0);
        long worst = ends.entrySet().stream().mapToLong(end -> end.getValue() - positions.get(end.getKey())).max()
                .orElse(0);
        Map<TopicPartition, Long> highWatermarks = new HashMap<>(ends);
        highWatermarks.put(REPARTITION_0, repartitionEnd0 + 1);
        return new GenerationAdmin.Lag(0, 0, worst, true, Map.of(), 0, positions, ends, highWatermarks);
    }
}
