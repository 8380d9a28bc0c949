package dev.eventbank.projection.rebuild;

import org.junit.jupiter.api.Test;

import static dev.eventbank.projection.rebuild.Measurements.EVENTS;
import static dev.eventbank.projection.rebuild.Measurements.incomplete;
import static dev.eventbank.projection.rebuild.Measurements.measured;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When a rebuilding generation counts as caught up ({@link CatchUp}), on a quiet log and under steady writes. */
class CatchUpTest {

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
        GenerationAdmin.Lag incomplete = incomplete();

        assertFalse(catchUp.caughtUp(incomplete));
        assertFalse(catchUp.caughtUp(measured(104, 63, 30, 108, 67, 40)));
    }
}
