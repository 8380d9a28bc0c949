package dev.eventbank.projection.rebuild;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The rebuild's progress in events, not offsets ({@link GenerationAdmin.Lag#eventsLeft}). */
class RebuildLagTest {

    @Test
    void shouldCountEventsNotOffsetsWhenEachTransactionEndsWithAMarker() {
        // given: one-event transactions, so every event is followed by a commit marker: 170 events passed took
        // 340 offsets, and 100 offsets are left
        GenerationAdmin.Lag lag = lag(100, 100, 340);

        // when
        Long left = lag.eventsLeft(100, 170);

        // then: 50 events left, not 100
        assertEquals(50L, left);
    }

    @Test
    void shouldNotKnowTheEventsLeftBeforeTheFirstCommit() {
        // given: "0 / 327 events" for a log of 170 was the offsets of a generation that had passed none yet
        GenerationAdmin.Lag lag = lag(327, 327, 0);

        // when / then
        assertNull(lag.eventsLeft(327, 0));
    }

    @Test
    void shouldReportNoEventsLeftWhenCaughtUpUpToTheLastMarker() {
        // given: every partition one offset behind, its last transaction's marker
        GenerationAdmin.Lag lag = lag(2, 1, 338);

        // when / then
        assertEquals(0L, lag.eventsLeft(2, 169));
    }

    @Test
    void shouldNeverCountMoreEventsThanOffsetsLeft() {
        // given: more processed than committed offsets passed (processing runs ahead of the last commit)
        GenerationAdmin.Lag lag = lag(40, 40, 10);

        // when / then
        assertEquals(40L, lag.eventsLeft(40, 12));
    }

    private static GenerationAdmin.Lag lag(long offsetsLeft, long worstPartition, long passed) {
        return new GenerationAdmin.Lag(offsetsLeft, 0, worstPartition, true, Map.of(0, offsetsLeft), passed,
                Map.of(), Map.of(), Map.of());
    }
}
