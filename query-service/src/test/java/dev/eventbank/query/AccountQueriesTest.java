package dev.eventbank.query;

import dev.eventbank.support.readyourwrites.VersionWaiters;
import dev.eventbank.support.testing.Events;
import dev.eventbank.query.AccountQueries.Lookup;
import dev.eventbank.schemas.common.AccountStatus;
import dev.eventbank.schemas.common.AccountType;
import dev.eventbank.schemas.readmodel.AccountState;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The read-your-writes wait and the paging, over an in-memory view. */
class AccountQueriesTest {

    private final Map<String, AccountState> view = new ConcurrentSkipListMap<>();
    private final VersionWaiters waiters = new VersionWaiters(100);
    private final AccountQueries queries = new AccountQueries(new MapReader(view), waiters, Runnable::run);

    @Test
    void shouldAnswerAtOnceWhenTheViewHasTheVersion() {
        // given
        put(state("a", 3));

        // when
        CompletableFuture<Lookup> found = queries.find("a", 2, Duration.ofSeconds(5));

        // then
        assertEquals(3, assertInstanceOf(Lookup.Found.class, found.getNow(null)).state().getVersion());
        assertEquals(0, waiters.waiting());
    }

    @Test
    void shouldAnswerFromTheFreshFoldBeforeTheViewHasTheVersion() {
        // given: a read of an account the view does not know yet, with the fresh fold in front of the view
        String accountId = "0b6c5f2e-1d3a-4c57-9a8e-2f7d4c1b9e01";
        FreshFold fold = new FreshFold(() -> {
            throw new IllegalStateException("not started: the test folds by hand");
        }, (topic, data) -> Events.opened(accountId, "100.00"), view::get, 10, waiters::updated);
        AccountQueries withFold = new AccountQueries(new FreshAccountReader(new MapReader(view), fold), waiters, Runnable::run);
        CompletableFuture<Lookup> found = withFold.find(accountId, 1, Duration.ofSeconds(5));
        boolean doneEarly = found.isDone();

        // when: the fold reads the account's first event from the log
        fold.fold(accountId, new byte[]{1});

        // then: the read is answered with the folded state, before the view has it
        assertFalse(doneEarly);
        AccountState state = assertInstanceOf(Lookup.Found.class, found.getNow(null)).state();
        assertEquals(1, state.getVersion());
        assertEquals(new java.math.BigDecimal("100.0000"), state.getBalance());
        assertEquals(0, waiters.waiting());
        assertTrue(view.isEmpty(), "the view itself is untouched");
    }

    @Test
    void shouldWaitForTheProjectionToPublishWhatTheFreshFoldHasAlreadyShown() {
        // given: the fold holds version 2 of an account whose published state (the view) is still at version 1
        String accountId = "0b6c5f2e-1d3a-4c57-9a8e-2f7d4c1b9e02";
        put(state(accountId, 1));
        FreshFold fold = new FreshFold(() -> {
            throw new IllegalStateException("not started: the test folds by hand");
        }, (topic, data) -> Events.deposited(accountId, 2, "5.00", "105.00"), view::get, 10, waiters::updated);
        AccountQueries withFold = new AccountQueries(new FreshAccountReader(new MapReader(view), fold), waiters, Runnable::run);
        fold.fold(accountId, new byte[]{1});
        CompletableFuture<Long> pageOfVersion1 = withFold.awaitProjected(accountId, 0, 1, Duration.ofSeconds(5));
        CompletableFuture<Long> projected = withFold.awaitProjected(accountId, 0, Long.MAX_VALUE, Duration.ofSeconds(5));
        boolean doneEarly = projected.isDone();

        // when: the projection publishes version 2
        put(state(accountId, 2));

        // then
        assertEquals(1L, pageOfVersion1.getNow(null), "a read that can show version 1 at most does not wait for 2");
        assertFalse(doneEarly, "waited for version 2, which only the fold had");
        assertEquals(2L, projected.getNow(null));
        assertEquals(0, waiters.waiting());
    }

    @Test
    void shouldRefuseRatherThanSkipTheWaitForAShownVersionWhenTooManyReadsWait() {
        // given: the fold has shown version 2, the projection has published version 1, and every waiting slot is taken
        String accountId = "0b6c5f2e-1d3a-4c57-9a8e-2f7d4c1b9e03";
        put(state(accountId, 1));
        VersionWaiters full = new VersionWaiters(1);
        FreshFold fold = new FreshFold(() -> {
            throw new IllegalStateException("not started: the test folds by hand");
        }, (topic, data) -> Events.deposited(accountId, 2, "5.00", "105.00"), view::get, 10, full::updated);
        AccountQueries withFold = new AccountQueries(new FreshAccountReader(new MapReader(view), fold), full, Runnable::run);
        fold.fold(accountId, new byte[]{1});
        CompletableFuture<Long> taken = full.await("another", 1);

        // when: a history read that could show version 2 cannot wait for it
        CompletableFuture<Long> projected = withFold.awaitProjected(accountId, 0, Long.MAX_VALUE, Duration.ofSeconds(5));

        // then: refused (a 503 to retry), never answered with the projection's version 1 as if it were current
        assertTrue(projected.isCompletedExceptionally());
        assertInstanceOf(VersionWaiters.TooManyWaitersException.class,
                org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.CompletionException.class,
                        projected::join).getCause());
        // and a read whose versions the projection has already is answered without waiting
        assertEquals(1L, withFold.awaitProjected(accountId, 0, 1, Duration.ofSeconds(5)).getNow(null));
        taken.cancel(false);
    }

    @Test
    void shouldWaitForTheProjectionToReachAVersionTheCallerKnowsAndAnswerWhatItHasWhenTheTimeRunsOut() throws Exception {
        // given
        put(state("a", 1));

        // when: version 3 asked for, version 2 published, then nothing
        CompletableFuture<Long> projected = queries.awaitProjected("a", 3, 0, Duration.ofMillis(300));
        put(state("a", 2));

        // then: still waiting after version 2; at the end, the version the projection has
        assertFalse(projected.isDone(), "version 2 is not the 3 asked for");
        assertEquals(2L, projected.get(5, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(0, waiters.waiting());
        assertEquals(-1L, queries.awaitProjected("unknown", 0, 100, Duration.ofSeconds(5)).getNow(null), "nothing to wait for");
    }

    @Test
    void shouldWaitUntilTheViewSignalsTheVersion() {
        // given
        put(state("a", 1));
        CompletableFuture<Lookup> found = queries.find("a", 2, Duration.ofSeconds(5));
        boolean doneEarly = found.isDone();

        // when
        put(state("a", 2));

        // then
        assertFalse(doneEarly);
        assertEquals(2, assertInstanceOf(Lookup.Found.class, found.getNow(null)).state().getVersion());
    }

    @Test
    void shouldSayNotVisibleWhenTheVersionDoesNotArriveInTime() throws Exception {
        // given
        put(state("a", 1));

        // when
        Lookup lookup = queries.find("a", 2, Duration.ofMillis(50)).get(5, TimeUnit.SECONDS);

        // then
        assertEquals(new Lookup.VersionNotVisible(1), lookup);
        assertEquals(0, waiters.waiting());
    }

    @Test
    void shouldTreatAStateTheCallerMayNotReadAsAbsentEvenWhenItsVersionArrives() throws Exception {
        // given: account a at version 1, and a caller who may read no state of it
        put(state("a", 1));
        CompletableFuture<Lookup> lookup = queries.find("a", 2, Duration.ofMillis(300), state -> false);

        // when: the asked version arrives at once
        long start = System.nanoTime();
        put(state("a", 2));

        // then: not found, and only when the wait is over, as for an account that never appears
        assertEquals(new Lookup.NotFound(), lookup.get(5, TimeUnit.SECONDS));
        assertTrue((System.nanoTime() - start) / 1_000_000 >= 250, "answered before the wait was over");
        assertEquals(new Lookup.NotFound(), queries.find("a", 0, Duration.ZERO, state -> false).getNow(null));
        assertEquals(2, assertInstanceOf(Lookup.Found.class,
                queries.find("a", 0, Duration.ZERO, state -> true).getNow(null)).state().getVersion());
    }

    @Test
    void shouldWaitForAnUnknownAccountAndThenSayNotFound() throws Exception {
        // when
        Lookup lookup = queries.find("unknown", 1, Duration.ofMillis(50)).get(5, TimeUnit.SECONDS);

        // then
        assertEquals(new Lookup.NotFound(), lookup);
    }

    @Test
    void shouldFindAnAccountOpenedWhileWaiting() {
        // given
        CompletableFuture<Lookup> found = queries.find("new", 1, Duration.ofSeconds(5));

        // when
        put(state("new", 1));

        // then
        assertInstanceOf(Lookup.Found.class, found.getNow(null));
    }

    @Test
    void shouldNotMissAnUpdateThatLandsBetweenTheFirstReadAndTheRegistration() {
        // given: the view moves to version 2 right after the first read, before anyone could be notified
        AtomicInteger reads = new AtomicInteger();
        AccountReader racing = new MapReader(view) {
            @Override
            public AccountState find(String accountId) {
                AccountState state = super.find(accountId);
                if (reads.incrementAndGet() == 1) {
                    view.put(accountId, state(accountId, 2));
                }
                return state;
            }
        };
        put(state("a", 1));

        // when
        CompletableFuture<Lookup> found = new AccountQueries(racing, waiters, Runnable::run)
                .find("a", 2, Duration.ofSeconds(5));

        // then
        assertEquals(2, assertInstanceOf(Lookup.Found.class, found.getNow(null)).state().getVersion());
        assertEquals(0, waiters.waiting());
    }

    @Test
    void shouldPageInAccountIdOrderWithANextCursor() {
        // given
        for (String id : List.of("d", "b", "e", "a", "c")) {
            put(state(id, 1));
        }

        // when
        AccountQueries.Page first = queries.list(null, 2, null);
        AccountQueries.Page second = queries.list(first.next(), 2, null);
        AccountQueries.Page last = queries.list(second.next(), 2, null);

        // then
        assertEquals(List.of("a", "b"), ids(first));
        assertEquals("b", first.next());
        assertEquals(List.of("c", "d"), ids(second));
        assertEquals(List.of("e"), ids(last));
        assertNull(last.next());
    }

    @Test
    void shouldFilterByStatus() {
        // given
        put(state("a", 1));
        AccountState closed = state("b", 2);
        closed.setStatus(AccountStatus.CLOSED);
        put(closed);

        // when
        AccountQueries.Page page = queries.list(null, 10, new AccountQueries.Filter(AccountStatus.CLOSED, null, null));

        // then
        assertEquals(List.of("b"), ids(page));
        assertTrue(page.next() == null);
    }

    @Test
    void shouldFilterByOwnerIgnoringCaseAndByStatusTogether() {
        // given
        put(state("a", 1));
        AccountState grace = state("b", 1);
        grace.setOwner("Grace Hopper");
        put(grace);
        AccountState closedGrace = state("c", 2);
        closedGrace.setOwner("Grace Hopper");
        closedGrace.setStatus(AccountStatus.CLOSED);
        put(closedGrace);

        // when
        AccountQueries.Page graces = queries.list(null, 10, new AccountQueries.Filter(null, "grace hopper", null));
        AccountQueries.Page openGraces = queries.list(null, 10, new AccountQueries.Filter(AccountStatus.OPEN, "Grace Hopper", null));

        // then
        assertEquals(List.of("b", "c"), ids(graces));
        assertEquals(List.of("b"), ids(openGraces));
    }

    @Test
    void shouldFilterByAccountTypeAndLeaveOutStatesWithoutOne() {
        // given: a checking, a savings, and a state written before states carried the type
        AccountState checking = state("a", 1);
        checking.setAccountType(AccountType.CHECKING);
        put(checking);
        AccountState savings = state("b", 1);
        savings.setAccountType(AccountType.SAVINGS);
        put(savings);
        put(state("c", 1));

        // when
        AccountQueries.Page savingsPage = queries.list(null, 10, new AccountQueries.Filter(null, null, AccountType.SAVINGS));
        AccountQueries.Page checkingPage = queries.list(null, 10, new AccountQueries.Filter(AccountStatus.OPEN, null, AccountType.CHECKING));

        // then
        assertEquals(List.of("b"), ids(savingsPage));
        assertEquals(List.of("a"), ids(checkingPage));
    }

    /** As the view's store processor does: store, then signal. */
    private void put(AccountState state) {
        view.put(state.getAccountId(), state);
        waiters.updated(state.getAccountId(), state.getVersion());
    }

    private static List<String> ids(AccountQueries.Page page) {
        return page.items().stream().map(AccountState::getAccountId).toList();
    }

    static AccountState state(String id, long version) {
        return AccountState.newBuilder().setAccountId(id).setAccountNumber("NL" + id).setOwner("Ada")
                .setCurrency("EUR").setBalance(new BigDecimal("1.0000")).setStatus(AccountStatus.OPEN)
                .setVersion(version).setOpenedAt(Instant.EPOCH).setUpdatedAt(Instant.EPOCH).build();
    }

    static class MapReader implements AccountReader {

        private final Map<String, AccountState> view;

        MapReader(Map<String, AccountState> view) {
            this.view = view;
        }

        @Override
        public AccountState find(String accountId) {
            return view.get(accountId);
        }

        @Override
        public List<AccountState> scan(String after, String ownerId, java.util.function.Predicate<AccountState> filter, int max) {
            List<AccountState> page = new ArrayList<>();
            for (AccountState state : new TreeMap<>(view).values()) {
                if ((after == null || state.getAccountId().compareTo(after) > 0)
                        && (ownerId == null || ownerId.equals(state.getOwnerId()))
                        && filter.test(state) && page.size() < max) {
                    page.add(state);
                }
            }
            return page;
        }
    }
}
