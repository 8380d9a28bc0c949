package dev.eventbank.projection.rebuild;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When every stream thread of the old generation has committed since its publishing closed ({@link CommitBarrier}). */
class CommitBarrierTest {

    @Test
    void shouldPassOnlyOnceEveryThreadCountedACommitSinceTheBarrierWasSet() {
        // given: two threads with active tasks when the gate closed
        CommitBarrier barrier = CommitBarrier.after(Map.of("t-1", 40.0, "t-2", 7.0));

        // when / then: nothing committed yet, then one thread, then both
        assertFalse(barrier.passed(Map.of("t-1", 40.0, "t-2", 7.0)));
        assertFalse(barrier.passed(Map.of("t-1", 41.0, "t-2", 7.0)));
        assertEquals("[t-2]", barrier.waitingFor(Map.of("t-1", 41.0, "t-2", 7.0)));
        assertTrue(barrier.passed(Map.of("t-1", 41.0, "t-2", 9.0)));
    }

    @Test
    void shouldCountAThreadThatEndedAsPassedSinceWhatItHeldIsNeverCommitted() {
        CommitBarrier barrier = CommitBarrier.after(Map.of("t-1", 40.0, "t-2", 7.0));

        // t-2 was replaced after an error (its transaction aborts); a new thread t-3 owes nothing
        assertTrue(barrier.passed(Map.of("t-1", 41.0, "t-3", 0.0)));
        assertFalse(barrier.passed(Map.of("t-1", 40.0, "t-3", 5.0)));
    }

    @Test
    void shouldPassAtOnceWhenNoThreadHadActiveTasks() {
        assertTrue(CommitBarrier.after(Map.of()).passed(Map.of("t-1", 3.0)));
    }
}
