package dev.eventbank.projection.rebuild;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When a rebuilding generation counts as caught up ({@link CatchUp}), on a quiet log and under steady writes. */
class CatchUpTest {

    private static final String EVENTS = "bank-account-events";
    private static final TopicPartition EVENTS_0 = new TopicPartition(EVENTS, 0);
    private static final TopicPartition EVENTS_1 = new TopicPartition(EVENTS, 1);
    private static final TopicPartition REPARTITION_0 = new TopicPartition("g1-bank-totals-deltas-repartition", 0);

    private final CatchUp catchUp = new CatchUp(EVENTS);

    @Test
    void shouldBeCaughtUpAtOnceOnAQuietLogAtMostOneOffsetBehind() {
        assertTrue(catchUp.caughtUp(measured(100, 64, 33, 101, 64, 34)));
    }

    @Test
    void shouldBeCaughtUpUnderSteadyWritesOnceTheEventsOfAnEarlierCheckWentThroughTheRepartitionTopic() {
        // given: writes never stop, so at every check some partition is a few offsets behind
        assertFalse(catchUp.caughtUp(measured(90, 55, 20, 100, 64, 33)));
        // the event log's positions pass where it ended at the check before; the repartition topic is behind
        assertFalse(catchUp.caughtUp(measured(104, 63, 30, 108, 67, 40)));
        // the repartition topic's ends are taken now, at its high watermark (47), so that records whose transaction
        // is not committed yet count too
        assertFalse(catchUp.caughtUp(measured(112, 70, 41, 115, 74, 46)));
        // one short of them is not enough while the marker is the record after
        assertFalse(catchUp.caughtUp(measured(118, 76, 45, 122, 80, 50)));

        // when: its position reaches them (one short: the transaction marker), still never at the log's end
        boolean caughtUp = catchUp.caughtUp(measured(120, 78, 46, 124, 81, 52));

        // then
        assertTrue(caughtUp);
    }

    @Test
    void shouldNotBeCaughtUpWhileTheGenerationFallsFurtherBehind() {
        // given: the log grows faster than the generation reads it
        assertFalse(catchUp.caughtUp(measured(10, 10, 5, 100, 64, 33)));
        assertFalse(catchUp.caughtUp(measured(40, 30, 15, 200, 130, 70)));
        assertFalse(catchUp.caughtUp(measured(70, 50, 25, 300, 200, 100)));
        assertFalse(catchUp.caughtUp(measured(100, 70, 35, 400, 260, 130)));
    }

    @Test
    void shouldJudgeAgainAfterBeingCaughtUpSoThatALaterSwitchIsNotJudgedByAnOldEnd() {
        // given: caught up under steady writes once
        catchUp.caughtUp(measured(90, 55, 20, 100, 64, 33));
        catchUp.caughtUp(measured(104, 63, 30, 108, 67, 40));
        catchUp.caughtUp(measured(112, 70, 41, 115, 74, 46));
        assertTrue(catchUp.caughtUp(measured(120, 78, 46, 124, 81, 52)));

        // when: a burst leaves it far behind, its positions still past the repartition end it was judged by
        boolean afterBurst = catchUp.caughtUp(measured(130, 85, 60, 900, 800, 400));

        // then
        assertFalse(afterBurst);
    }

    @Test
    void shouldIgnoreAMeasurementTakenBeforeTheInternalTopicsExist() {
        GenerationAdmin.Lag incomplete = new GenerationAdmin.Lag(-1, -1, Long.MAX_VALUE, false, Map.of(), 0,
                Map.of(), Map.of(), Map.of());

        assertFalse(catchUp.caughtUp(incomplete));
        assertFalse(catchUp.caughtUp(measured(104, 63, 30, 108, 67, 40)));
    }

    /** Positions and last stable offsets of two event-log partitions and one repartition partition. */
    private static GenerationAdmin.Lag measured(long events0, long events1, long repartition0,
                                                long end0, long end1, long repartitionEnd0) {
        Map<TopicPartition, Long> positions = Map.of(EVENTS_0, events0, EVENTS_1, events1, REPARTITION_0, repartition0);
        Map<TopicPartition, Long> ends = Map.of(EVENTS_0, end0, EVENTS_1, end1, REPARTITION_0, repartitionEnd0);
        long worst = ends.entrySet().stream().mapToLong(end -> end.getValue() - positions.get(end.getKey())).max()
                .orElse(0);
        // the high watermarks: one record of an open transaction past the last stable offset on every partition
        Map<TopicPartition, Long> highWatermarks = new java.util.HashMap<>();
        ends.forEach((partition, end) -> highWatermarks.put(partition, end + 1));
        return new GenerationAdmin.Lag(0, 0, worst, true, Map.of(), 0, positions, ends, highWatermarks);
    }
}
