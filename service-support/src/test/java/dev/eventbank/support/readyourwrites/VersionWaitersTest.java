package dev.eventbank.support.readyourwrites;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VersionWaitersTest {

    private final VersionWaiters waiters = new VersionWaiters(2);

    @Test
    void shouldCompleteWhenTheAccountReachesTheVersion() {
        // given
        CompletableFuture<Long> arrival = waiters.await("a", 3);

        // when
        waiters.updated("a", 2);
        boolean doneEarly = arrival.isDone();
        waiters.updated("a", 4);

        // then
        assertFalse(doneEarly);
        assertEquals(4L, arrival.getNow(null));
        assertEquals(0, waiters.waiting());
    }

    @Test
    void shouldNotWakeWaitersOfAnotherAccount() {
        // given
        CompletableFuture<Long> arrival = waiters.await("a", 1);

        // when
        waiters.updated("b", 10);

        // then
        assertFalse(arrival.isDone());
        assertEquals(1, waiters.waiting());
    }

    @Test
    void shouldUnregisterWhenTheWaitTimesOut() throws Exception {
        // given
        CompletableFuture<Long> arrival = waiters.await("a", 5).completeOnTimeout(-1L, 50, TimeUnit.MILLISECONDS);

        // when
        long version = arrival.get(5, TimeUnit.SECONDS);

        // then
        assertEquals(-1L, version);
        assertEquals(0, waiters.waiting());
    }

    @Test
    void shouldRefuseWhenTooManyReadsWait() {
        // given
        waiters.await("a", 1);
        waiters.await("b", 1);

        // when / then
        assertThrows(VersionWaiters.TooManyWaitersException.class, () -> waiters.await("c", 1));
        waiters.updated("a", 1);
        assertTrue(waiters.await("c", 1) != null);
    }
}
