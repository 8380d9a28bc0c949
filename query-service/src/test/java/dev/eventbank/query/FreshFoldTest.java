package dev.eventbank.query;

import dev.eventbank.support.testing.Events;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.readmodel.AccountStateView;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fresh fold's rules without a broker: it starts from the view's state, keeps only what is ahead of the view,
 * and leaves to the view whatever it cannot fold without guessing. The broker side is {@code FreshFoldIT}.
 */
class FreshFoldTest {

    private static final String A = "0b6c5f2e-1d3a-4c57-9a8e-2f7d4c1b9e01";
    private static final String B = "7f1e0c2a-5b4d-4e3f-8a9b-0c1d2e3f4a5b";

    /** Each "wire" value is one byte: the index of its event in this list (0xFF: undecodable). */
    private final List<BankAccountEvent> wire = new ArrayList<>();
    private final Deserializer<BankAccountEvent> decode = (topic, data) -> {
        if (data[0] == (byte) 0xFF) {
            throw new IllegalArgumentException("not an event");
        }
        return wire.get(data[0]);
    };
    private final Map<String, AccountState> view = new ConcurrentHashMap<>();
    private final List<String> told = new ArrayList<>();

    private FreshFold fold(int maxAccounts) {
        return new FreshFold(() -> {
            throw new IllegalStateException("no broker in this test");
        }, decode, view::get, maxAccounts, (accountId, version) -> told.add(accountId + "@" + version));
    }

    @Test
    void shouldFoldFromTheViewsStateAndDropWhatTheViewCatchesUpWith() {
        // given: the view has version 1 of A
        FreshFold fold = fold(10);
        view.put(A, folded(null, Events.opened(A, "100.00")));

        // when: versions 2 and 3 are read from the log before the projection publishes them
        fold.fold(A, value(Events.deposited(A, 2, "10.00", "110.00")));
        fold.fold(A, value(Events.withdrawn(A, 3, "5.00", "105.00")));

        // then: the fold is ahead with version 3, the projection's evolve applied to the view's state
        assertEquals(3, fold.ahead(A).getVersion());
        assertEquals(new BigDecimal("105.0000"), fold.ahead(A).getBalance());
        assertEquals(List.of(A + "@2", A + "@3"), told, "each folded version wakes the waiting reads");

        // then: the view storing version 2 leaves version 3 ahead; storing version 3 drops it
        fold.caughtUp(A, 2);
        assertEquals(3, fold.ahead(A).getVersion());
        fold.caughtUp(A, 3);
        assertNull(fold.ahead(A));
        assertEquals(0, fold.aheadCount());
    }

    @Test
    void shouldFoldANewAccountFromItsFirstEvent() {
        FreshFold fold = fold(10);

        fold.fold(A, value(Events.opened(A, "100.00")));

        assertEquals(1, fold.ahead(A).getVersion());
    }

    @Test
    void shouldFoldNothingItWouldHaveToGuess() {
        FreshFold fold = fold(10);
        view.put(A, folded(null, Events.opened(A, "100.00")));

        // a version gap: the fold started while the view was behind (version 3 on a stored version 1)
        fold.fold(A, value(Events.deposited(A, 3, "10.00", "110.00")));
        assertNull(fold.ahead(A));

        // an event of another account under this account's key (the projection dead-letters it): nothing
        view.put(B, folded(null, Events.opened(B, "7.00")));
        fold.fold(A, value(Events.deposited(B, 2, "1.00", "8.00")));
        assertNull(fold.ahead(A));

        // an undecodable value, and an event the view already has: nothing
        fold.fold(A, new byte[]{(byte) 0xFF});
        fold.fold(A, value(Events.opened(A, "100.00")));
        assertNull(fold.ahead(A));

        // a view that cannot be read (restoring): nothing folded, nothing thrown
        FreshFold unreadable = new FreshFold(() -> null, decode, id -> {
            throw new IllegalStateException("restoring");
        }, 10, (accountId, version) -> told.add(accountId + "@" + version));
        unreadable.fold(B, value(Events.opened(B, "1.00")));
        assertNull(unreadable.ahead(B));
        assertEquals(List.of(), told, "only what was folded is told");
    }

    @Test
    void shouldKeepAStateAheadUntilTheViewHasItWhateverItCannotFoldAfterIt() {
        // given: version 2 of A ahead of the view's version 1
        FreshFold fold = fold(10);
        AccountState v1 = folded(null, Events.opened(A, "100.00"));
        view.put(A, v1);
        BankAccountEvent deposit2 = Events.deposited(A, 2, "10.00", "110.00");
        fold.fold(A, value(deposit2));
        assertEquals(2, fold.ahead(A).getVersion());

        // when: an undecodable event, an event the evolve rejects (a second opening) and the gap after them
        fold.fold(A, new byte[]{(byte) 0xFF});
        fold.fold(A, value(BankAccountEvent.newBuilder(Events.opened(A, "1.00")).setVersion(3).build()));
        fold.fold(A, value(Events.deposited(A, 4, "1.00", "111.00")));

        // then: version 2 stays, so a read that saw it never sees the view's version 1 after it
        assertEquals(2, fold.ahead(A).getVersion(), "a state the account reached is not dropped before the view has it");

        // when: the view gets the versions the fold missed (3 and 4 here); the next event is folded on it
        AccountState v4 = folded(folded(folded(v1, deposit2), Events.withdrawn(A, 3, "1.00", "109.00")),
                Events.deposited(A, 4, "2.00", "111.00"));
        view.put(A, v4);
        fold.fold(A, value(Events.deposited(A, 5, "1.00", "112.00")));

        // then
        assertEquals(5, fold.ahead(A).getVersion());
        assertEquals(new BigDecimal("112.0000"), fold.ahead(A).getBalance());
        assertEquals(List.of(A + "@2", A + "@5"), told);
    }

    @Test
    void shouldNotKeepAVersionTheViewStoredWhileItWasBeingFolded() {
        // given: a view that stores version 2 of A (and drops what the fold has of it, as the global thread does)
        // right after the fold read version 1 from it, before the fold keeps its own version 2
        AtomicReference<FreshFold> folding = new AtomicReference<>();
        AccountState v1 = folded(null, Events.opened(A, "100.00"));
        BankAccountEvent deposit2 = Events.deposited(A, 2, "10.00", "110.00");
        AtomicInteger reads = new AtomicInteger();
        FreshFold fold = new FreshFold(() -> {
            throw new IllegalStateException("no broker in this test");
        }, decode, id -> {
            AccountState inView = view.get(id);
            if (reads.incrementAndGet() == 1) {
                view.put(A, folded(v1, deposit2));
                folding.get().caughtUp(A, 2);
            }
            return inView;
        }, 10, (accountId, version) -> told.add(accountId + "@" + version));
        folding.set(fold);
        view.put(A, v1);

        // when
        fold.fold(A, value(deposit2));

        // then: nothing left behind the view, where it would count against maxAccounts until A changes again
        assertNull(fold.ahead(A));
        assertEquals(0, fold.aheadCount());
    }

    @Test
    void shouldKeepItsStatesWhenItsConsumerFails() throws InterruptedException {
        // given: version 2 of A ahead of the view, and a consumer that cannot be made (e.g. no READ on the topic)
        AtomicInteger attempts = new AtomicInteger();
        FreshFold fold = new FreshFold(() -> {
            attempts.incrementAndGet();
            throw new IllegalStateException("not authorized");
        }, decode, view::get, 10, (accountId, version) -> told.add(accountId + "@" + version));
        view.put(A, folded(null, Events.opened(A, "100.00")));
        fold.fold(A, value(Events.deposited(A, 2, "10.00", "110.00")));

        // when: it fails twice (the second attempt comes after the first failure was handled)
        fold.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (attempts.get() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        fold.close();

        // then: it is still ahead with version 2: a read does not go back to the view's version 1
        assertTrue(attempts.get() >= 2, "two attempts within 30 s");
        assertEquals(2, fold.ahead(A).getVersion());
    }

    @Test
    void shouldKeepAtMostMaxAccountsAhead() {
        FreshFold fold = fold(1);
        fold.fold(A, value(Events.opened(A, "100.00")));

        fold.fold(B, value(Events.opened(B, "1.00")));
        fold.fold(A, value(Events.deposited(A, 2, "10.00", "110.00")));

        assertNull(fold.ahead(B), "a second account is left to the view");
        assertEquals(2, fold.ahead(A).getVersion(), "an account already ahead keeps folding");
        assertThrows(IllegalArgumentException.class, () -> fold(0));
    }

    private byte[] value(BankAccountEvent event) {
        wire.add(event);
        return new byte[]{(byte) (wire.size() - 1)};
    }

    private static AccountState folded(AccountState before, BankAccountEvent event) {
        return ((AccountStateView.Fold.Applied) AccountStateView.evolve(before, event)).state();
    }
}
