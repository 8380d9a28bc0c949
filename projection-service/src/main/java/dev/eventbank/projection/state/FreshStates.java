package dev.eventbank.projection.state;

import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.support.readyourwrites.VersionWaiters;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Read-your-writes from the projection itself: an account's latest state once it has at least a version, as soon as
 * the event is folded, by the stream thread into the store or, sooner, by the {@link FreshFold}, without waiting for
 * the projection's transaction to commit and its state to travel through {@code bank-account-state} to the query
 * service's view (docs/read-side-performance.md: that is most of a read's milliseconds).
 *
 * <p>Why reading before the commit is safe: the projection reads the event log {@code read_committed}, so every
 * event it folds is committed, and its fold is deterministic. A state read here is one the account really reached;
 * if the projection fails before its commit, it folds the same events again into the same states. What a reader can
 * see is an older state for a moment after such a failure, while the store is restored, as from any replica.
 *
 * <p>Registered before reading, as {@link VersionWaiters} requires, so a put between the read and the registration
 * is not lost. Limits: only the active generation's states (its {@link AccountStateProjection} tells
 * {@link #stored}); at most {@code maxWaiting} reads wait at once (more are answered at once with what the store
 * has).
 */
public final class FreshStates implements AccountStateProjection.Listener, AutoCloseable {

    private final VersionWaiters waiters;
    private final Function<String, AccountState> stored;
    private final FreshFold fold;
    private final Executor executor;

    /**
     * @param stored   the active generation's state of an account (null when unknown); may throw while the store is
     *                 not queryable (a rebalance, a restore)
     * @param fold     the states folded ahead of the store, or null to read the store alone; this bean starts it
     * @param executor where a read continues after its wait (store reads block)
     */
    public FreshStates(int maxWaiting, Function<String, AccountState> stored, FreshFold fold, Executor executor) {
        this.waiters = new VersionWaiters(maxWaiting);
        this.stored = stored;
        this.fold = fold;
        this.executor = executor;
        if (fold != null) {
            fold.start(waiters::updated);
        }
    }

    /** The stream thread stored the state: the fresh fold's copy is not ahead any more, and waiting reads wake. */
    @Override
    public void stored(String accountId, long version) {
        if (fold != null) {
            fold.caughtUp(accountId, version);
        }
        waiters.updated(accountId, version);
    }

    /**
     * The account's latest state once it has at least {@code minVersion}, or whatever the store has when
     * {@code maxWait} is up (possibly older, or null for an unknown account).
     *
     * @param minVersion 1 or more
     * @param maxWait    how long to wait for the version, zero or more
     * @return a future of the state (null: unknown account); failed when the store cannot be read
     */
    public CompletableFuture<AccountState> atLeast(String accountId, long minVersion, Duration maxWait) {
        AccountState now = latest(accountId);
        if (reaches(now, minVersion) || maxWait.isZero()) {
            return CompletableFuture.completedFuture(now);
        }
        CompletableFuture<Long> arrival;
        try {
            arrival = waiters.await(accountId, minVersion);
        } catch (VersionWaiters.TooManyWaitersException full) {
            // the caller (the query service) waits for its own view as well: it loses only the head start
            return CompletableFuture.completedFuture(now);
        }
        // registered first, read second: a state stored between the first read and the registration is not lost
        AccountState again = latest(accountId);
        if (reaches(again, minVersion)) {
            arrival.cancel(false);
            return CompletableFuture.completedFuture(again);
        }
        return arrival.completeOnTimeout(-1L, maxWait.toMillis(), TimeUnit.MILLISECONDS)
                .thenApplyAsync(version -> latest(accountId), executor);
    }

    /** Stops the fresh fold, if any. */
    @Override
    public void close() {
        if (fold != null) {
            fold.close();
        }
    }

    /** Reads waiting right now. */
    public int waiting() {
        return waiters.waiting();
    }

    /** The newer of the store's state and the fresh fold's; the fold's alone while the store cannot be read. */
    private AccountState latest(String accountId) {
        AccountState ahead = fold == null ? null : fold.ahead(accountId);
        AccountState inStore;
        try {
            inStore = stored.apply(accountId);
        } catch (RuntimeException notQueryable) {
            if (ahead != null) {
                return ahead;
            }
            throw notQueryable;
        }
        return ahead != null && (inStore == null || ahead.getVersion() > inStore.getVersion()) ? ahead : inStore;
    }

    private static boolean reaches(AccountState state, long minVersion) {
        return state != null && state.getVersion() >= minVersion;
    }
}
