package dev.eventbank.query;

import dev.eventbank.support.testing.Events;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.readmodel.AccountStateView;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
    void shouldLeaveAnAccountToTheViewWhenItCannotFoldWithoutGuessing() {
        FreshFold fold = fold(10);
        view.put(A, folded(null, Events.opened(A, "100.00")));

        // a version gap: the fold started while the view was behind (version 3 on a stored version 1)
        fold.fold(A, value(Events.deposited(A, 3, "10.00", "110.00")));
        assertNull(fold.ahead(A));

        // an undecodable value drops what the fold had: the account's next event would follow a gap
        fold.fold(A, value(Events.deposited(A, 2, "10.00", "110.00")));
        assertEquals(2, fold.ahead(A).getVersion());
        fold.fold(A, new byte[]{(byte) 0xFF});
        assertNull(fold.ahead(A));

        // an event the view already has changes nothing
        fold.fold(A, value(Events.opened(A, "100.00")));
        assertNull(fold.ahead(A));

        // a view that cannot be read (restoring): nothing folded, nothing thrown
        FreshFold unreadable = new FreshFold(() -> null, decode, id -> {
            throw new IllegalStateException("restoring");
        }, 10, (accountId, version) -> told.add(accountId + "@" + version));
        unreadable.fold(B, value(Events.opened(B, "1.00")));
        assertNull(unreadable.ahead(B));
        assertEquals(List.of(A + "@2"), told, "only what was folded is told");
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
