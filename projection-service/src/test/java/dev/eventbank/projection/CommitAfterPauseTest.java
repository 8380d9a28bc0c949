package dev.eventbank.projection;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommitAfterPauseTest {

    @Test
    void theFirstEventAndEveryEventAfterAPauseAskForACommitAndEventsCloserTogetherDoNot() {
        CommitAfterPause rule = new CommitAfterPause(5);
        assertTrue(rule.afterPause(1_000), "the first event follows an endless pause");
        assertFalse(rule.afterPause(1_001), "1 ms later: the interval batches it");
        assertFalse(rule.afterPause(1_005), "4 ms after the previous one: still a burst");
        assertTrue(rule.afterPause(1_010), "5 ms after the previous one: a pause");
        assertFalse(rule.afterPause(1_010), "same millisecond");
    }

    @Test
    void zeroNeverAsksAndANegativePauseIsRefused() {
        assertFalse(CommitAfterPause.NEVER.afterPause(1_000));
        assertFalse(new CommitAfterPause(0).afterPause(1_000_000));
        assertThrows(IllegalArgumentException.class, () -> new CommitAfterPause(-1));
    }
}
