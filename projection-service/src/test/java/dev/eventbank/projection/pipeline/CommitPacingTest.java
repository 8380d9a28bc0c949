package dev.eventbank.projection.pipeline;

import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommitPacingTest {

    private static final long NOW = 1_700_000_000_000L;

    private final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();

    private CommitPacing.Task task(CommitPacing pacing) {
        context.setCurrentSystemTimeMs(NOW);
        return pacing.forTask(context);
    }

    /** Handles an event written {@code ageMs} before {@code atMs}; says whether the task asked for a commit. */
    private boolean handle(CommitPacing.Task task, long atMs, long ageMs) {
        context.resetCommit();
        context.setCurrentSystemTimeMs(atMs);
        task.eventHandled(atMs - ageMs);
        return context.committed();
    }

    /** Runs the task's scheduled tick at {@code atMs}; says whether it asked for a commit. */
    private boolean tick(long atMs) {
        context.resetCommit();
        context.setCurrentSystemTimeMs(atMs);
        MockProcessorContext.CapturedPunctuator tick = liveTick();
        assertEquals(20, tick.getInterval().toMillis());
        tick.getPunctuator().punctuate(atMs);
        assertTrue(tick.cancelled(), "the tick runs once");
        return context.committed();
    }

    /** The one tick scheduled and not cancelled; fails if there is none or more. */
    private MockProcessorContext.CapturedPunctuator liveTick() {
        List<MockProcessorContext.CapturedPunctuator> live = ticks();
        assertEquals(1, live.size(), "scheduled ticks");
        return live.get(0);
    }

    private List<MockProcessorContext.CapturedPunctuator> ticks() {
        return context.scheduledPunctuators().stream().filter(tick -> !tick.cancelled()).toList();
    }

    @Test
    void freshEventsInABurstCommitAtTheFreshPaceAndTheTickCommitsTheTail() {
        // no pause rule: only the pace
        CommitPacing.Task task = task(new CommitPacing(CommitAfterPause.NEVER, 20));
        assertTrue(handle(task, NOW, 1), "the first fresh event: no commit asked for yet on this thread");
        assertEquals(List.of(), ticks(), "nothing pending, no tick");
        assertFalse(handle(task, NOW + 5, 1), "5 ms after the last request");
        assertFalse(handle(task, NOW + 19, 1), "19 ms after it");
        liveTick();
        assertTrue(handle(task, NOW + 20, 1), "20 ms after it");
        assertFalse(tick(NOW + 25), "the tick finds the events before +20 committed");
        assertFalse(handle(task, NOW + 30, 1));
        assertTrue(tick(NOW + 50), "the event at +30 was not committed: the tick asks");
        assertEquals(List.of(), ticks(), "nothing pending, no tick");
    }

    /**
     * A task with a record pending (handled at +5, after the thread's first request at +0), then another task of the
     * same stream thread asking for a commit at +20: one transaction per thread, so that commit also takes the
     * record of +5. Returns the first task.
     */
    private CommitPacing.Task pendingThenAnotherTaskOfTheThreadAsks() {
        CommitPacing pacing = new CommitPacing(CommitAfterPause.NEVER, 20);
        CommitPacing.Task task = task(pacing);
        MockProcessorContext<Object, Object> otherContext = new MockProcessorContext<>();
        CommitPacing.Task other = pacing.forTask(otherContext);
        assertTrue(handle(task, NOW, 1), "the thread's first request");
        assertFalse(handle(task, NOW + 5, 1), "pending, with a tick");
        otherContext.setCurrentSystemTimeMs(NOW + 20);
        other.eventHandled(NOW + 19);
        assertTrue(otherContext.committed(), "the other task asks 20 ms after the first request");
        return task;
    }

    @Test
    void aTickAsksNothingWhenAnotherTaskOfTheThreadAskedAfterItsRecords() {
        CommitPacing.Task task = pendingThenAnotherTaskOfTheThreadAsks();

        assertFalse(tick(NOW + 25), "the record of +5 went with the other task's commit");
        assertFalse(handle(task, NOW + 30, 1), "10 ms after the other task's request: pending again");
        assertTrue(tick(NOW + 50), "nobody asked after +30: the tick asks");
    }

    @Test
    void aTickAsksWhenTheOtherTaskAskedBeforeItsLastRecord() {
        CommitPacing.Task task = pendingThenAnotherTaskOfTheThreadAsks();
        assertFalse(handle(task, NOW + 21, 1), "handled after the other task's request");

        assertTrue(tick(NOW + 25), "the record of +21 came after that request: the tick asks");
    }

    @Test
    void aTickAsksForARecordHandledInTheSameMillisecondAsTheOtherTasksRequestButAfterIt() {
        CommitPacing.Task task = pendingThenAnotherTaskOfTheThreadAsks();
        assertFalse(handle(task, NOW + 20, 1), "same millisecond as the other task's request, after it");

        assertTrue(tick(NOW + 25), "that commit may have run before this record: the tick asks");
    }

    @Test
    void aTickAsksWhenTheClockSteppedBackAfterTheOtherTasksRequest() {
        CommitPacing.Task task = pendingThenAnotherTaskOfTheThreadAsks();
        // the wall clock steps back 10 ms (NTP, a resumed VM): the record is handled after the request, stamped before
        assertFalse(handle(task, NOW + 10, 1));

        assertTrue(tick(NOW + 25), "handled after the other task's request, whatever the clock says: the tick asks");
    }

    @Test
    void oldEventsAskForNothingSoTheBacklogIntervalBatchesThem() {
        CommitPacing.Task task = task(new CommitPacing(new CommitAfterPause(5), 20));
        // a rebuild or a backlog: events written long ago, even with pauses between them
        for (int i = 0; i < 100; i++) {
            assertFalse(handle(task, NOW + i, CommitAfterPause.FRESH_MS + 1 + 10L * (100 - i)), "event " + i);
        }
        assertEquals(List.of(), ticks(), "no tick: it would slow the stream thread's rounds");
    }

    @Test
    void aFreshEventAfterAPauseCommitsAtOnceEvenRightAfterAnotherRequest() {
        CommitPacing.Task task = task(new CommitPacing(new CommitAfterPause(5), 20));
        assertTrue(handle(task, NOW, 0));
        assertTrue(handle(task, NOW + 6, 0), "written 6 ms after the previous event: a pause");
        assertFalse(handle(task, NOW + 7, 0), "1 ms later, 1 ms after the last request");
    }

    @Test
    void derivedRecordsFollowThePaceButAreNoPause() {
        CommitPacing.Task task = task(new CommitPacing(new CommitAfterPause(5), 20));
        context.setCurrentSystemTimeMs(NOW);
        task.derivedHandled(NOW - 100);
        assertTrue(context.committed(), "fresh, and no request yet");
        context.resetCommit();
        context.setCurrentSystemTimeMs(NOW + 10);
        task.derivedHandled(NOW + 9);
        assertFalse(context.committed(), "10 ms after the last request, however long after the record before it");
        assertTrue(tick(NOW + 20));
    }

    @Test
    void zeroCommitsEveryFreshEventAndNeverNothing() {
        CommitPacing.Task every = task(new CommitPacing(CommitAfterPause.NEVER, 0));
        assertTrue(context.scheduledPunctuators().isEmpty(), "no tick needed");
        assertTrue(handle(every, NOW, 1));
        assertTrue(handle(every, NOW, 1));
        assertFalse(handle(every, NOW, CommitAfterPause.FRESH_MS + 1), "old");

        MockProcessorContext<Object, Object> other = new MockProcessorContext<>();
        CommitPacing.Task never = CommitPacing.NEVER.forTask(other);
        assertTrue(other.scheduledPunctuators().isEmpty());
        other.setCurrentSystemTimeMs(NOW);
        never.eventHandled(NOW);
        never.derivedHandled(NOW);
        assertFalse(other.committed());
        assertThrows(IllegalArgumentException.class, () -> new CommitPacing(CommitAfterPause.NEVER, -1));
    }
}
