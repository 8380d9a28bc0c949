package dev.eventbank.query;

import dev.eventbank.schemas.readmodel.AccountState;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The view, with the {@link FreshFold}'s states where they are newer: a lookup by id gives the newer of the two,
 * so a {@code minVersion} read is answered as soon as the fold has the version (the fold wakes the same
 * {@code VersionWaiters} as the view). A listing reads the view alone: a page is one consistent scan of the store,
 * and the fold holds only the few accounts that are ahead of it.
 */
final class FreshAccountReader implements AccountReader {

    private final AccountReader view;
    private final FreshFold fold;
    private final AtomicLong freshAnswers = new AtomicLong();

    FreshAccountReader(AccountReader view, FreshFold fold) {
        this.view = view;
        this.fold = fold;
    }

    /** @throws ViewNotReadyException while the view cannot be read and the fold has nothing newer */
    @Override
    public AccountState find(String accountId) {
        AccountState ahead = fold.ahead(accountId);
        AccountState inView;
        try {
            inView = view.find(accountId);
        } catch (ViewNotReadyException restoring) {
            if (ahead != null) {
                freshAnswers.incrementAndGet();
                return ahead;
            }
            throw restoring;
        }
        if (ahead != null && (inView == null || ahead.getVersion() > inView.getVersion())) {
            freshAnswers.incrementAndGet();
            return ahead;
        }
        return inView;
    }

    /** The view's state alone: what the projection has folded and published. */
    @Override
    public AccountState projected(String accountId) {
        return view.find(accountId);
    }

    /** Lookups answered with the fold's state, newer than the view's, since the start (a counter for the metrics). */
    long freshAnswers() {
        return freshAnswers.get();
    }

    @Override
    public List<AccountState> scan(String after, String ownerId, Predicate<AccountState> filter, int max) {
        return view.scan(after, ownerId, filter, max);
    }
}
