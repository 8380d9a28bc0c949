package dev.eventbank.projection.rebuild;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.eventbank.projection.rebuild.Measurements.EVENTS;
import static dev.eventbank.projection.rebuild.Measurements.EVENTS_0;
import static dev.eventbank.projection.rebuild.Measurements.EVENTS_1;
import static dev.eventbank.projection.rebuild.Measurements.measured;
import static dev.eventbank.projection.rebuild.Measurements.quiet;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When the new generation holds everything the old one published ({@link Handover}). */
class HandoverTest {

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
}
