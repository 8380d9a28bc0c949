package dev.eventbank.support.readyourwrites;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

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

    @Test
    void shouldNeverLoseAWaiterRegisteredWhileTheLastOneOfItsAccountLeaves() throws Exception {
        // the race: a new waiter joins the account's set just as the set's last waiter completes and takes the set
        // out of the map; the new waiter must still be found by the next update. Repeated, as a race needs
        VersionWaiters shared = new VersionWaiters(1_000);
        for (int round = 0; round < 5_000; round++) {
            CompletableFuture<Long> leaving = shared.await("a", 1);
            CountDownLatch start = new CountDownLatch(1);
            AtomicReference<CompletableFuture<Long>> joining = new AtomicReference<>();
            Thread joiner = new Thread(() -> {
                awaitQuietly(start);
                joining.set(shared.await("a", 2));
            });
            joiner.start();
            start.countDown();
            leaving.cancel(false);
            joiner.join();

            shared.updated("a", 2);

            assertTrue(joining.get().isDone(), "round " + round + ": the joining waiter was lost");
            assertEquals(0, shared.waiting());
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
