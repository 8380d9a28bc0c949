package dev.eventbank.command.domain;

import dev.eventbank.command.domain.AccountEvent.AccountClosed;
import dev.eventbank.command.domain.AccountEvent.AccountOpened;
import dev.eventbank.command.domain.AccountEvent.MoneyDeposited;
import dev.eventbank.command.domain.AccountEvent.MoneyWithdrawn;
import dev.eventbank.command.domain.AccountState.Closed;
import dev.eventbank.command.domain.AccountState.Initial;
import dev.eventbank.command.domain.AccountState.Open;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Currency;

import static dev.eventbank.command.domain.BankAccountTest.eur;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** One test per event type: what {@link BankAccount#evolve} makes of it, and the version it counts. */
class BankAccountEvolveTest {

    private static final Instant T = Instant.parse("2025-01-01T10:00:00Z");
    private static final Open OPEN_AT_3 = new Open("NL01", "Ada Lovelace", eur("70.00"), 3);

    @Test
    void shouldStartAtVersionZeroWithNothing() {
        assertEquals(new Initial(), BankAccount.initialState());
        assertEquals(0, BankAccount.initialState().version());
    }

    @Test
    void shouldOpenAtVersionOneWhenAccountOpened() {
        // when
        AccountState state = BankAccount.evolve(new Initial(),
                new AccountOpened("NL01", "Ada Lovelace", Currency.getInstance("EUR"), eur("100"), T));

        // then
        assertEquals(new Open("NL01", "Ada Lovelace", eur("100.00"), 1), state);
    }

    @Test
    void shouldKeepTheCustomerOwnerFromOpenedToClosed() {
        // when
        AccountState state = BankAccount.replay(java.util.List.of(
                new AccountOpened("NL01", "Ada Lovelace", Currency.getInstance("EUR"), eur("10"), null,
                        AccountType.CHECKING, "customer-ada", T),
                new MoneyWithdrawn(eur("10"), eur("0"), T),
                new AccountClosed(null, T)));

        // then
        assertEquals(new Closed("NL01", "Ada Lovelace", "customer-ada", Currency.getInstance("EUR"), 3), state);
    }

    @Test
    void shouldRaiseTheBalanceWhenMoneyDeposited() {
        assertEquals(new Open("NL01", "Ada Lovelace", eur("80.00"), 4),
                BankAccount.evolve(OPEN_AT_3, new MoneyDeposited(eur("10"), eur("80"), T)));
    }

    @Test
    void shouldLowerTheBalanceWhenMoneyWithdrawn() {
        assertEquals(new Open("NL01", "Ada Lovelace", eur("60.00"), 4),
                BankAccount.evolve(OPEN_AT_3, new MoneyWithdrawn(eur("10"), eur("60"), T)));
    }

    @Test
    void shouldCloseWhenAccountClosed() {
        Open empty = new Open("NL01", "Ada Lovelace", eur("0"), 3);
        assertEquals(new Closed("NL01", "Ada Lovelace", Currency.getInstance("EUR"), 4),
                BankAccount.evolve(empty, new AccountClosed("moving", T)));
    }

    @Test
    void shouldFailWhenAnEventCannotFollowTheState() {
        assertThrows(IllegalStateException.class,
                () -> BankAccount.evolve(new Initial(), new MoneyDeposited(eur("1"), eur("1"), T)));
    }
}
