package dev.eventbank.projection.pipeline;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommitAfterPauseTest {

    private static final long NOW = 1_700_000_000_000L;

    @Test
    void aFreshEventWrittenAfterAPauseAsksForACommitAndEventsWrittenCloserTogetherDoNot() {
        CommitAfterPause rule = new CommitAfterPause(5);
        assertTrue(rule.afterPause(NOW - 2, NOW), "the first event follows an endless pause");
        assertFalse(rule.afterPause(NOW - 1, NOW), "written 1 ms after the previous one: the interval batches it");
        assertFalse(rule.afterPause(NOW + 3, NOW + 4), "4 ms after the newest: still a burst");
        assertTrue(rule.afterPause(NOW + 8, NOW + 9), "5 ms after the newest: a pause");
        assertFalse(rule.afterPause(NOW + 8, NOW + 9), "same millisecond");
    }

    @Test
    void theStreamThreadsOwnSlownessIsNoPause() {
        CommitAfterPause rule = new CommitAfterPause(5);
        rule.afterPause(NOW, NOW);
        // events written 1 ms apart, handled 50 ms apart (e.g. a commit between two processing rounds)
        assertFalse(rule.afterPause(NOW + 1, NOW + 50));
        assertFalse(rule.afterPause(NOW + 2, NOW + 100));
    }

    @Test
    void anOlderEventFromAnotherPartitionIsNoPauseAndOldEventsNeverAsk() {
        CommitAfterPause rule = new CommitAfterPause(5);
        rule.afterPause(NOW, NOW);
        assertFalse(rule.afterPause(NOW - 30, NOW + 1), "older than the newest: out of order across partitions");
        CommitAfterPause replay = new CommitAfterPause(5);
        // a rebuild reads events of yesterday, each a minute after the one before
        assertFalse(replay.afterPause(NOW - 86_400_000, NOW));
        assertFalse(replay.afterPause(NOW - 86_340_000, NOW));
        assertFalse(replay.afterPause(NOW - CommitAfterPause.FRESH_MS - 1, NOW), "just over the fresh limit");
    }

    @Test
    void zeroNeverAsksAndANegativePauseIsRefused() {
        assertFalse(CommitAfterPause.NEVER.afterPause(NOW, NOW));
        assertFalse(new CommitAfterPause(0).afterPause(NOW, NOW));
        assertThrows(IllegalArgumentException.class, () -> new CommitAfterPause(-1));
    }
}
