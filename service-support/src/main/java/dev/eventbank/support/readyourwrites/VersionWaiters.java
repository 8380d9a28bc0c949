package dev.eventbank.support.readyourwrites;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Read-your-writes without polling: a reader that needs version N of an account registers here, and the
 * processor that writes the account's state to a store calls {@link #updated} after every put, which completes the
 * waiters it satisfies. The query service's view (and its fresh fold) use it. Framework-free and thread safe.
 *
 * <p>The caller must register <em>before</em> it reads the store and complete the wait itself if the read
 * already satisfies it: the store write happens before {@link #updated}, so either the read sees the new
 * version or the update finds the waiter. Nothing is lost between the two.
 *
 * <p>Limits: waiters live in this process's memory; at most {@code maxWaiters} wait at once (more are
 * refused, so a flood of slow reads cannot exhaust memory); a waiter that is never satisfied stays until
 * its caller cancels it (the caller's timeout does).
 */
public final class VersionWaiters {

    private final Map<String, Set<Waiter>> waitersByAccount = new ConcurrentHashMap<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private final int maxWaiters;

    public VersionWaiters(int maxWaiters) {
        this.maxWaiters = maxWaiters;
    }

    /** Thrown by {@link #await} when {@code maxWaiters} readers already wait. */
    public static final class TooManyWaitersException extends RuntimeException {
        TooManyWaitersException(int max) {
            super(max + " reads are already waiting for a version");
        }
    }

    private record Waiter(long minVersion, CompletableFuture<Long> future) {
    }

    /**
     * A future completed with the version once {@code accountId} reaches {@code minVersion}. Cancelling or
     * completing it (e.g. on timeout) unregisters it.
     */
    public CompletableFuture<Long> await(String accountId, long minVersion) {
        if (waiting.incrementAndGet() > maxWaiters) {
            waiting.decrementAndGet();
            throw new TooManyWaitersException(maxWaiters);
        }
        Waiter waiter = new Waiter(minVersion, new CompletableFuture<>());
        // added under the map's lock for the account, as the last waiter's removal (below) takes the emptied set out
        // under it: a waiter added to a set already taken out would never be found by updated()
        waitersByAccount.compute(accountId, (id, waiters) -> {
            Set<Waiter> joined = waiters == null ? ConcurrentHashMap.newKeySet() : waiters;
            joined.add(waiter);
            return joined;
        });
        waiter.future().whenComplete((version, error) -> {
            waiting.decrementAndGet();
            waitersByAccount.computeIfPresent(accountId, (id, waiters) -> {
                waiters.remove(waiter);
                return waiters.isEmpty() ? null : waiters;
            });
        });
        return waiter.future();
    }

    /** Called after {@code accountId} was stored at {@code version}: wakes up the waiters it satisfies. */
    public void updated(String accountId, long version) {
        Set<Waiter> waiters = waitersByAccount.get(accountId);
        if (waiters == null) {
            return;
        }
        for (Waiter waiter : waiters) {
            if (waiter.minVersion() <= version) {
                waiter.future().complete(version);
            }
        }
    }

    /** Readers waiting right now (for metrics and tests). */
    public int waiting() {
        return waiting.get();
    }
}
