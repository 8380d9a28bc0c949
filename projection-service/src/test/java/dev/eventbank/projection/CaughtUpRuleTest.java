package dev.eventbank.projection;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When readiness counts one owned partition of the log as caught up ({@link StreamsHealthIndicator#caughtUp}). */
class CaughtUpRuleTest {

    private static final long NOW = 1_764_000_000_000L;
    private static final long MAX_LAG = 1_000;

    @Test
    void shouldNotCountAFetchAtTheEndWhoseRecordsAreStillBuffered() {
        // fetched to the end, an hour-old event processed last, committed short of what it fetched
        assertFalse(StreamsHealthIndicator.caughtUp(0, NOW - 3_600_000, 40_000L, 52_000L, NOW, MAX_LAG));
        // not committed yet at all
        assertFalse(StreamsHealthIndicator.caughtUp(0, NOW - 3_600_000, null, 52_000L, NOW, MAX_LAG));
    }

    @Test
    void shouldCountAPartitionWithNothingLeftToProcess() {
        // committed as far as it fetched (past the last transaction marker too)
        assertTrue(StreamsHealthIndicator.caughtUp(0, NOW - 3_600_000, 52_000L, 52_000L, NOW, MAX_LAG));
        // fetched nothing since it was assigned, at the end of the log
        assertTrue(StreamsHealthIndicator.caughtUp(0, null, null, null, NOW, MAX_LAG));
    }

    @Test
    void shouldCountAPartitionWhoseLastProcessedEventIsRecentWhateverItStillHolds() {
        assertTrue(StreamsHealthIndicator.caughtUp(35, NOW - 400, 40_000L, 40_035L, NOW, MAX_LAG));
    }

    @Test
    void shouldNotCountAPartitionBehindTheLogOrNotFetchedYet() {
        assertFalse(StreamsHealthIndicator.caughtUp(5_000, NOW - 3_600_000, 40_000L, 40_000L, NOW, MAX_LAG));
        assertFalse(StreamsHealthIndicator.caughtUp(Double.NaN, null, null, null, NOW, MAX_LAG));
    }
}
