package dev.eventbank.projection.totals;

import dev.eventbank.support.testing.Events;
import dev.eventbank.support.testing.Events;
import dev.eventbank.schemas.readmodel.AccountStateView;
import dev.eventbank.schemas.common.AccountType;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.readmodel.BankTotals;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** The bank totals' evolve, one test per event type: what each applied event adds to the totals. */
class BankTotalsViewTest {

    private static final String ID = "3d5c1e7a-9b2f-4e6d-8c0a-1f2e3d4c5b6a";
    /** The totals of another account, so that each event is added to something. */
    private static final BankTotals OTHERS = new BankTotals(Map.of("EUR", new BigDecimal("50.0000")),
            Map.of("OPEN", 1L), 1L, Events.T0);

    @Test
    void shouldAddTheBalanceAndAnOpenAccountWhenAccountOpened() {
        // when
        BankTotals totals = evolve(OTHERS, null, Events.opened(ID, "100.00", "ada@example.com", AccountType.SAVINGS));

        // then
        assertEquals(new BigDecimal("150.0000"), totals.getBalances().get("EUR"));
        assertEquals(Map.of("OPEN", 2L), totals.getAccountsByStatus());
        assertEquals(2L, totals.getEventsApplied());
        assertEquals(Events.T0.plusSeconds(1), totals.getUpdatedAt());
    }

    @Test
    void shouldAddTheBalanceAndAnOpenAccountWhenAVersion1AccountOpenedArrivesUpcast() {
        // given
        BankAccountEvent v1 = Events.version1OpenedUpcast(
                SchemaRegistryClients.forUrl("mock://totals-view-v1-" + UUID.randomUUID()), ID, "10.00");

        // when
        BankTotals totals = evolve(OTHERS, null, v1);

        // then
        assertEquals(new BigDecimal("60.0000"), totals.getBalances().get("EUR"));
        assertEquals(Map.of("OPEN", 2L), totals.getAccountsByStatus());
        assertEquals(2L, totals.getEventsApplied());
    }

    @Test
    void shouldAddTheAmountWhenMoneyDeposited() {
        // given
        AccountState open = state(null, Events.opened(ID, "100.00"));

        // when
        BankTotals totals = evolve(OTHERS, open, Events.deposited(ID, 2, "20.50", "120.50"));

        // then
        assertEquals(new BigDecimal("70.5000"), totals.getBalances().get("EUR"));
        assertEquals(Map.of("OPEN", 1L), totals.getAccountsByStatus());
        assertEquals(2L, totals.getEventsApplied());
    }

    @Test
    void shouldSubtractTheAmountWhenMoneyWithdrawn() {
        // given
        AccountState open = state(null, Events.opened(ID, "100.00"));

        // when
        BankTotals totals = evolve(OTHERS, open, Events.withdrawn(ID, 2, "30.00", "70.00"));

        // then
        assertEquals(new BigDecimal("20.0000"), totals.getBalances().get("EUR"));
        assertEquals(Map.of("OPEN", 1L), totals.getAccountsByStatus());
    }

    @Test
    void shouldMoveTheAccountFromOpenToClosedWhenAccountClosed() {
        // given
        AccountState open = state(null, Events.opened(ID, "0.00"));

        // when
        BankTotals totals = evolve(OTHERS, open, Events.closed(ID, 2));

        // then: the balance is unchanged, one account less open, one closed
        assertEquals(new BigDecimal("50.0000"), totals.getBalances().get("EUR"));
        assertEquals(Map.of("OPEN", 0L, "CLOSED", 1L), totals.getAccountsByStatus());
        assertEquals(2L, totals.getEventsApplied());
        assertEquals(Events.T0.plusSeconds(2), totals.getUpdatedAt());
    }

    @Test
    void shouldSumFromZeroTheSameAsEventByEvent() {
        // given
        AccountState opened = state(null, Events.opened(ID, "100.00"));
        AccountState deposited = state(opened, Events.deposited(ID, 2, "1.00", "101.00"));

        // when
        BankTotals stepByStep = BankTotalsView.evolve(BankTotalsView.evolve(BankTotalsView.zero(), null, opened),
                opened, deposited);

        // then
        assertEquals(new BigDecimal("101.0000"), stepByStep.getBalances().get("EUR"));
        assertEquals(2L, stepByStep.getEventsApplied());
    }

    /** The totals after folding {@code event} into the account at {@code before}, as the projection does. */
    private static BankTotals evolve(BankTotals totals, AccountState before, BankAccountEvent event) {
        return BankTotalsView.evolve(totals, before, state(before, event));
    }

    private static AccountState state(AccountState before, BankAccountEvent event) {
        return assertInstanceOf(AccountStateView.Fold.Applied.class, AccountStateView.evolve(before, event)).state();
    }
}
