package dev.eventbank.query;

import dev.eventbank.support.readyourwrites.VersionWaiters;
import dev.eventbank.schemas.common.AccountStatus;
import dev.eventbank.schemas.common.AccountType;
import dev.eventbank.schemas.readmodel.AccountState;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The query use cases, over an {@link AccountReader} and {@link VersionWaiters}; no HTTP here.
 *
 * <p>A read with a minimum version that the view has not reached yet waits for the view's notification, never
 * longer than the given bound, without holding a thread: the answer is computed on {@code executor} once the
 * version arrives or the time is up. The reader may be more than the view ({@link FreshAccountReader}): whatever wakes
 * the waiters first with the version answers.
 */
public final class AccountQueries {

    private final AccountReader reader;
    private final VersionWaiters waiters;
    private final Executor executor;

    public AccountQueries(AccountReader reader, VersionWaiters waiters, Executor executor) {
        this.reader = reader;
        this.waiters = waiters;
        this.executor = executor;
    }

    /** What a lookup by id found. */
    public sealed interface Lookup {

        record Found(AccountState state) implements Lookup {
        }

        record NotFound() implements Lookup {
        }

        /** The account exists but has not reached the requested version within the wait. */
        record VersionNotVisible(long currentVersion) implements Lookup {
        }
    }

    /** One page of the listing; {@code next} is the cursor of the following page, null on the last one. */
    public record Page(List<AccountState> items, String next) {
    }

    /**
     * The account, once the reader has at least {@code minVersion} of it (0 = whatever it has now), waiting at
     * most {@code maxWait}. An unknown account also waits when a version is asked for: its opening may not be
     * visible yet.
     */
    public CompletableFuture<Lookup> find(String accountId, long minVersion, Duration maxWait) {
        return find(accountId, minVersion, maxWait, state -> true);
    }

    /**
     * As {@link #find(String, long, Duration)}, for a caller that may read only the states {@code readable}
     * accepts: any other state is treated as absent (not found, after the same wait), so the answer does not tell
     * an account the caller may not read from one that does not exist.
     */
    public CompletableFuture<Lookup> find(String accountId, long minVersion, Duration maxWait,
                                          Predicate<AccountState> readable) {
        long deadline = System.nanoTime() + maxWait.toNanos();
        AccountState now = current(accountId, readable);
        if (minVersion <= 0 || reaches(now, minVersion)) {
            return CompletableFuture.completedFuture(lookup(now, minVersion));
        }
        CompletableFuture<Long> arrival = waiters.await(accountId, minVersion);
        // registered first, read second: an update between the first read and the registration is not lost
        AccountState again;
        try {
            again = current(accountId, readable);
        } catch (RuntimeException e) {
            // the view became unreadable in between: no one will wait for this registration
            arrival.cancel(false);
            throw e;
        }
        if (reaches(again, minVersion)) {
            arrival.cancel(false);
            return CompletableFuture.completedFuture(lookup(again, minVersion));
        }
        return arrival
                .completeOnTimeout(-1L, maxWait.toMillis(), TimeUnit.MILLISECONDS)
                .thenComposeAsync(version -> {
                    Lookup result = lookup(current(accountId, readable), minVersion);
                    long left = deadline - System.nanoTime();
                    if (result instanceof Lookup.NotFound && version >= 0 && left > 0) {
                        // the version arrived on an account the caller may not read: answered when an account that
                        // never appears is, at the end of the wait, so the timing does not tell either
                        return CompletableFuture.supplyAsync(() -> result,
                                CompletableFuture.delayedExecutor(left, TimeUnit.NANOSECONDS, executor));
                    }
                    return CompletableFuture.completedFuture(result);
                }, executor);
    }

    /**
     * Waits until the projection has folded the account far enough for a history or time-travel read, at most
     * {@code maxWait}: up to {@code minVersion}, and up to {@code seenUpTo} as far as this service's latest state
     * has the account (the fresh fold may hold versions the view has not got yet). The projection answers those reads
     * from stores committed in the same transaction as the states it publishes, so a read made once this completes
     * shows every version it waited for.
     *
     * @param minVersion a version the caller knows exists (a command's answer), 0 for none: waited for strictly
     * @param seenUpTo   the last version the read could show (a history page's last), 0 for none: waited for only as
     *                   far as the latest state has it, and not at all when the view cannot be read
     * @return the version the projection has published of the account when the wait ended (lower than asked when
     *     the time ran out), -1 when it has published none, {@link #PROJECTED_UNKNOWN} when that could not be known
     *     (the view cannot be read) and no {@code minVersion} was asked; fails with {@link AccountReader.ViewNotReadyException}
     *     or {@link VersionWaiters.TooManyWaitersException} (503s) when {@code minVersion} could not be waited for, and
     *     with the latter when too many reads wait and the projection lacks a version of {@code seenUpTo}
     */
    public CompletableFuture<Long> awaitProjected(String accountId, long minVersion, long seenUpTo, Duration maxWait) {
        boolean strict = minVersion > 0;
        try {
            long version = minVersion;
            if (seenUpTo > 0) {
                AccountState latest = reader.find(accountId);
                if (latest != null) {
                    version = Math.max(version, Math.min(seenUpTo, latest.getVersion()));
                }
            }
            if (version <= 0) {
                // an account no one has seen, and no version asked for: the projection says it is unknown at once
                return CompletableFuture.completedFuture(projectedVersion(accountId));
            }
            return awaitProjected(accountId, version, strict, System.nanoTime() + maxWait.toNanos());
        } catch (AccountReader.ViewNotReadyException | VersionWaiters.TooManyWaitersException e) {
            return unwaited(strict, e);
        }
    }

    private CompletableFuture<Long> awaitProjected(String accountId, long version, boolean strict, long deadline) {
        CompletableFuture<Long> arrival;
        try {
            arrival = waiters.await(accountId, version);
        } catch (VersionWaiters.TooManyWaitersException e) {
            if (strict) {
                return CompletableFuture.failedFuture(e);
            }
            // not waited for: enough when the projection has the version already; else the 503 of too many waiting
            // reads, never a read that leaves out a version this service has shown
            long projected = projectedOrNone(accountId);
            return projected >= version || projected == PROJECTED_UNKNOWN ? CompletableFuture.completedFuture(projected)
                    : CompletableFuture.failedFuture(e);
        }
        // registered first, read second (VersionWaiters): the view's update in between is not lost
        long projected;
        try {
            projected = projectedVersion(accountId);
        } catch (AccountReader.ViewNotReadyException e) {
            arrival.cancel(false);
            return unwaited(strict, e);
        }
        long left = deadline - System.nanoTime();
        if (projected >= version || left <= 0) {
            arrival.cancel(false);
            return CompletableFuture.completedFuture(projected);
        }
        // the fold's announcements wake it too (it is ahead of the view): look again until the view has the version
        return arrival.completeOnTimeout(-1L, left, TimeUnit.NANOSECONDS)
                .thenComposeAsync(arrived -> arrived < 0 ? CompletableFuture.completedFuture(projectedOrNone(accountId))
                        : awaitProjected(accountId, version, strict, deadline), executor);
    }

    /**
     * What {@link #awaitProjected} answers when it does not know the projection's version of the account: the view
     * could not be read, or the wait could not be made. Not "none" (-1): a read should not conclude the projection
     * lacks what it could not look at.
     */
    public static final long PROJECTED_UNKNOWN = Long.MIN_VALUE;

    /** A wait that could not be made: a failure when the caller's version was asked for, else {@link #PROJECTED_UNKNOWN}. */
    private static CompletableFuture<Long> unwaited(boolean strict, RuntimeException cause) {
        return strict ? CompletableFuture.failedFuture(cause) : CompletableFuture.completedFuture(PROJECTED_UNKNOWN);
    }

    /**
     * The version of the account's state the projection published, -1 when none.
     *
     * @throws AccountReader.ViewNotReadyException when the view cannot be read
     */
    private long projectedVersion(String accountId) {
        AccountState projected = reader.projected(accountId);
        return projected == null ? -1 : projected.getVersion();
    }

    private long projectedOrNone(String accountId) {
        try {
            return projectedVersion(accountId);
        } catch (AccountReader.ViewNotReadyException e) {
            return PROJECTED_UNKNOWN;
        }
    }

    /**
     * The latest version of the account this service has seen (its fresh fold or its view), -1 when none or when the
     * view cannot be read: a version at or below it exists.
     */
    public long seenVersion(String accountId) {
        try {
            AccountState state = reader.find(accountId);
            return state == null ? -1 : state.getVersion();
        } catch (AccountReader.ViewNotReadyException e) {
            return -1;
        }
    }

    /**
     * Whether the state the projection published of the account ({@code bank-account-state}) is past
     * {@code instant}: its last event occurred after it. The state at that instant is then made of versions the
     * projection has already folded. False when it is not, when the account is unknown to the view, and when the
     * view cannot be read.
     */
    public boolean projectedPast(String accountId, Instant instant) {
        try {
            AccountState projected = reader.projected(accountId);
            return projected != null && projected.getUpdatedAt().isAfter(instant);
        } catch (AccountReader.ViewNotReadyException e) {
            return false;
        }
    }

    /** The account's latest state if {@code readable} accepts it, else null (unknown, or not the caller's). */
    public AccountState current(String accountId, Predicate<AccountState> readable) {
        AccountState state = reader.find(accountId);
        return state != null && readable.test(state) ? state : null;
    }

    /**
     * Which accounts a listing shows: a status, an owner (exact, ignoring case) and/or an account type; null = any.
     * A state without an account type (written before states carried it) matches no account type.
     */
    public record Filter(AccountStatus status, String owner, AccountType accountType) implements Predicate<AccountState> {

        public static final Filter ANY = new Filter(null, null, null);

        @Override
        public boolean test(AccountState state) {
            return (status == null || state.getStatus() == status)
                    && (owner == null || owner.equalsIgnoreCase(state.getOwner()))
                    && (accountType == null || state.getAccountType() == accountType);
        }
    }

    /** Up to {@code limit} accounts after the cursor {@code after} that {@code filter} accepts, in account-id order. */
    public Page list(String after, int limit, Predicate<AccountState> filter) {
        return list(after, null, limit, filter);
    }

    /** As above, only the accounts of {@code ownerId} (null = every owner's), read without reading any other's. */
    public Page list(String after, String ownerId, int limit, Predicate<AccountState> filter) {
        List<AccountState> found = reader.scan(after, ownerId, filter == null ? Filter.ANY : filter, limit + 1);
        if (found.size() <= limit) {
            return new Page(found, null);
        }
        List<AccountState> items = List.copyOf(found.subList(0, limit));
        return new Page(items, items.get(limit - 1).getAccountId());
    }

    private static boolean reaches(AccountState state, long minVersion) {
        return state != null && state.getVersion() >= minVersion;
    }

    private static Lookup lookup(AccountState state, long minVersion) {
        if (state == null) {
            return new Lookup.NotFound();
        }
        if (state.getVersion() < minVersion) {
            return new Lookup.VersionNotVisible(state.getVersion());
        }
        return new Lookup.Found(state);
    }
}
