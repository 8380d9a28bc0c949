package dev.eventbank.projection.state;

import dev.eventbank.support.testing.Events;
import dev.eventbank.support.testing.Events;
import dev.eventbank.schemas.readmodel.AccountStateView;
import dev.eventbank.schemas.readmodel.AccountStateView.Fold;
import dev.eventbank.schemas.common.AccountStatus;
import dev.eventbank.schemas.common.AccountType;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.events.MoneyDeposited;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One evolve test per event type, plus the cases the view refuses to guess. */
class AccountStateViewTest {

    private static final String ID = "0b6c5f2e-1d3a-4c57-9a8e-2f7d4c1b9e01";

    @Test
    void shouldOpenTheAccountWhenAccountOpened() {
        // when
        AccountState state = applied(null, Events.opened(ID, "100.00"));

        // then
        assertEquals(ID, state.getAccountId());
        assertEquals("Ada Lovelace", state.getOwner());
        assertEquals("EUR", state.getCurrency());
        assertEquals(new BigDecimal("100.0000"), state.getBalance());
        assertEquals(AccountStatus.OPEN, state.getStatus());
        assertEquals(1, state.getVersion());
        assertEquals(Events.T0.plusSeconds(1), state.getOpenedAt());
        assertEquals(state.getOpenedAt(), state.getUpdatedAt());
    }

    @Test
    void shouldRejectAnAmountOrBalanceChangeWithMoreDigitsThanTheStateHolds() {
        // given: the state's balance is decimal(22,4): 18 integer digits
        AccountState open = applied(null, Events.opened(ID, "100.00"));
        String nineteenDigits = "1" + "0".repeat(18);

        // when
        Fold deposit = AccountStateView.evolve(open, Events.deposited(ID, 2, "1.00", nineteenDigits));
        Fold opening = AccountStateView.evolve(null, Events.opened(ID, nineteenDigits));
        Fold largest = AccountStateView.evolve(open, Events.deposited(ID, 2, "1.00", "999999999999999999.9999"));

        AccountState inDebt = applied(null, Events.opened(ID, "-999999999999999999.0000"));
        Fold swing = AccountStateView.evolve(inDebt, Events.deposited(ID, 2, "1.00", "999999999999999999.0000"));

        // then
        assertTrue(assertInstanceOf(Fold.Rejected.class, swing).reason().contains("balance change"), swing.toString());
        assertTrue(assertInstanceOf(Fold.Rejected.class, deposit).reason().contains("balanceAfter"), deposit.toString());
        assertTrue(assertInstanceOf(Fold.Rejected.class, opening).reason().contains("initialDeposit"), opening.toString());
        assertEquals(new BigDecimal("999999999999999999.9999"), assertInstanceOf(Fold.Applied.class, largest).state().getBalance());
    }

    @Test
    void shouldRecordTheOwnerFromAccountOpenedAndKeepItThroughLaterEvents() {
        // given
        AccountState open = applied(null, Events.openedFor(ID, "100.00", "customer-42"));

        // when
        AccountState later = applied(applied(applied(open, Events.deposited(ID, 2, "1.00", "101.00")),
                Events.withdrawn(ID, 3, "1.00", "100.00")), Events.closed(ID, 4));

        // then
        assertEquals("customer-42", open.getOwnerId());
        assertEquals("customer-42", later.getOwnerId());
    }

    @Test
    void shouldLeaveTheOwnerUnknownWhenAccountOpenedPredatesOwners() {
        // when: an AccountOpened of version 1 or 2 (no ownerId)
        AccountState state = applied(null, Events.opened(ID, "100.00"));

        // then: no customer owns it; only tellers and auditors can read it
        assertNull(state.getOwnerId());
    }

    @Test
    void shouldKeepTheEmailAndAccountTypeFromAccountOpenedThroughLaterEvents() {
        // given
        AccountState open = applied(null, Events.opened(ID, "100.00", "ada@example.com", AccountType.SAVINGS));

        // when
        AccountState later = applied(applied(open, Events.deposited(ID, 2, "1.00", "101.00")), Events.closed(ID, 3));

        // then
        assertEquals("ada@example.com", open.getEmail());
        assertEquals(AccountType.SAVINGS, open.getAccountType());
        assertEquals("ada@example.com", later.getEmail());
        assertEquals(AccountType.SAVINGS, later.getAccountType());
    }

    @Test
    void shouldOpenACheckingAccountWithoutEmailWhenAVersion1AccountOpenedArrivesUpcast() {
        // given: AccountOpened as the version 1 command service wrote it, decoded by the upcasting deserializer
        BankAccountEvent v1 = Events.version1OpenedUpcast(
                SchemaRegistryClients.forUrl("mock://state-view-v1-" + UUID.randomUUID()), ID, "10.00");

        // when
        AccountState state = applied(null, v1);

        // then
        assertEquals(AccountType.CHECKING, state.getAccountType());
        assertNull(state.getEmail());
        assertEquals("Grace Hopper", state.getOwner());
        assertEquals(new BigDecimal("10.0000"), state.getBalance());
        assertEquals(AccountStatus.OPEN, state.getStatus());
        assertEquals(1, state.getVersion());
    }

    @Test
    void shouldNotGuessAnAccountTypeTheEventDoesNotHave() {
        // when: a version 2 event without a type (our writers always set one; version 1 events arrive upcast)
        AccountState state = applied(null, Events.opened(ID, "100.00", null, null));

        // then
        assertNull(state.getAccountType());
        assertNull(state.getEmail());
    }

    @Test
    void shouldTakeTheBalanceAfterWhenMoneyDeposited() {
        // given
        AccountState open = applied(null, Events.opened(ID, "100.00"));

        // when
        AccountState state = applied(open, Events.deposited(ID, 2, "50.25", "150.25"));

        // then
        assertEquals(new BigDecimal("150.2500"), state.getBalance());
        assertEquals(2, state.getVersion());
        assertEquals(Events.T0.plusSeconds(2), state.getUpdatedAt());
        assertEquals(open.getOpenedAt(), state.getOpenedAt());
    }

    @Test
    void shouldTakeTheBalanceAfterWhenMoneyWithdrawn() {
        // given
        AccountState open = applied(null, Events.opened(ID, "100.00"));

        // when
        AccountState state = applied(open, Events.withdrawn(ID, 2, "30.25", "69.75"));

        // then
        assertEquals(new BigDecimal("69.7500"), state.getBalance());
        assertEquals(2, state.getVersion());
    }

    @Test
    void shouldMarkClosedWhenAccountClosed() {
        // given
        AccountState open = applied(null, Events.opened(ID, "0"));

        // when
        AccountState state = applied(open, Events.closed(ID, 2));

        // then
        assertEquals(AccountStatus.CLOSED, state.getStatus());
        assertEquals(2, state.getVersion());
    }

    @Test
    void shouldChangeNothingWhenTheVersionIsAlreadyApplied() {
        // given
        AccountState state = applied(applied(null, Events.opened(ID, "100.00")), Events.deposited(ID, 2, "1", "101"));

        // when
        Fold fold = AccountStateView.evolve(state, Events.deposited(ID, 2, "1", "101"));

        // then
        assertEquals(new Fold.AlreadyApplied(2), fold);
    }

    @Test
    void shouldRejectWhenThereIsAVersionGap() {
        // given
        AccountState open = applied(null, Events.opened(ID, "100.00"));

        // when
        Fold fold = AccountStateView.evolve(open, Events.deposited(ID, 3, "1", "101"));

        // then
        assertTrue(assertInstanceOf(Fold.Rejected.class, fold).reason().contains("version gap"), fold.toString());
    }

    @Test
    void shouldRejectWhenTheAccountIsUnknownAndTheEventIsNotAccountOpened() {
        // when
        Fold fold = AccountStateView.evolve(null, Events.deposited(ID, 1, "1", "1"));

        // then
        assertTrue(assertInstanceOf(Fold.Rejected.class, fold).reason().contains("unknown account"), fold.toString());
    }

    @Test
    void shouldRejectWhenTheAccountIsOpenedTwice() {
        // given
        AccountState open = applied(null, Events.opened(ID, "100.00"));
        BankAccountEvent again = Events.opened(ID, "5");
        again.setVersion(2L);

        // when
        Fold fold = AccountStateView.evolve(open, again);

        // then
        assertTrue(assertInstanceOf(Fold.Rejected.class, fold).reason().contains("already open"), fold.toString());
    }

    @Test
    void shouldRejectWhenTheCurrencyIsNotTheAccounts() {
        // given
        AccountState open = applied(null, Events.opened(ID, "100.00"));
        BankAccountEvent deposit = Events.deposited(ID, 2, "1", "101");
        ((MoneyDeposited) deposit.getPayload()).setCurrency("USD");

        // when
        Fold fold = AccountStateView.evolve(open, deposit);

        // then
        assertInstanceOf(Fold.Rejected.class, fold);
    }

    private static AccountState applied(AccountState current, BankAccountEvent event) {
        return assertInstanceOf(Fold.Applied.class, AccountStateView.evolve(current, event)).state();
    }

    @Test
    void shouldCarryEveryOtherFieldAndLeaveThePreviousStateAsItWas() {
        // given: an account opened with every optional field set
        String id = UUID.randomUUID().toString();
        AccountState opened = ((Fold.Applied) AccountStateView.evolve(null,
                Events.openedFor(id, "10.00", "customer-7"))).state();
        AccountState before = AccountState.newBuilder(opened).build();

        // when
        AccountState after = ((Fold.Applied) AccountStateView.evolve(opened, Events.deposited(id, 2, "5.00", "15.00"))).state();

        // then: version, time and balance moved; every other field, by schema position, is the one before
        assertEquals(before, opened);
        assertEquals(2L, after.getVersion());
        assertEquals(new BigDecimal("15.0000"), after.getBalance());
        for (org.apache.avro.Schema.Field field : AccountState.getClassSchema().getFields()) {
            if (!java.util.Set.of("version", "updatedAt", "balance").contains(field.name())) {
                assertEquals(opened.get(field.pos()), after.get(field.pos()), field.name());
            }
        }
    }

    /**
     * The fold's copies share field values with the state they copy (AccountStateView#next): only sound while every
     * field holds an immutable value. A field of another kind (an array, a map, a record, fixed, plain bytes) fails here.
     */
    @Test
    void shouldHoldOnlyImmutableValuesInEveryFieldOfTheState() {
        for (org.apache.avro.Schema.Field field : AccountState.getClassSchema().getFields()) {
            org.apache.avro.Schema schema = field.schema();
            if (schema.getType() == org.apache.avro.Schema.Type.UNION) {
                schema = schema.getTypes().stream().filter(type -> type.getType() != org.apache.avro.Schema.Type.NULL)
                        .findFirst().orElseThrow();
            }
            boolean immutable = switch (schema.getType()) {
                case STRING, ENUM, LONG, INT, BOOLEAN, DOUBLE, FLOAT -> true;
                case BYTES -> schema.getLogicalType() instanceof org.apache.avro.LogicalTypes.Decimal;
                default -> false;
            };
            assertTrue(immutable, field.name() + " is " + schema + ": the fold's shallow copies would share it");
        }
    }
}
