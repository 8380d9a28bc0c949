package dev.eventbank.projection.snapshots;

import dev.eventbank.support.testing.Events;
import dev.eventbank.support.testing.Events;
import dev.eventbank.schemas.readmodel.AccountStateView;
import dev.eventbank.schemas.common.AccountStatus;
import dev.eventbank.schemas.common.AccountType;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.readmodel.AccountSnapshot;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The snapshot read model's evolve, one test per event type: with a snapshot due at every version, each applied event
 * gives a snapshot of exactly the state after it, at the log position given, which folds back to that state.
 */
class SnapshotEvolveTest {

    private static final String ID = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b";
    private static final Snapshots.Policy EVERY_EVENT = Snapshots.Policy.everyEvents(1);

    @Test
    void shouldSnapshotTheOpenedAccountWithItsEmailAndTypeWhenAccountOpened() {
        // given
        AccountState after = state(null, Events.opened(ID, "100.00", "ada@example.com", AccountType.SAVINGS));

        // when
        AccountSnapshot snapshot = Snapshots.evolve(EVERY_EVENT, after, null, 2, 40);

        // then
        assertCovers(after, snapshot, 2, 40);
        assertEquals(AccountType.SAVINGS, snapshot.getAccountType());
        assertEquals("ada@example.com", snapshot.getEmail());
    }

    @Test
    void shouldSnapshotACheckingAccountWhenAVersion1AccountOpenedArrivesUpcast() {
        // given
        BankAccountEvent v1 = Events.version1OpenedUpcast(
                SchemaRegistryClients.forUrl("mock://snapshot-evolve-v1-" + UUID.randomUUID()), ID, "10.00");
        AccountState after = state(null, v1);

        // when
        AccountSnapshot snapshot = Snapshots.evolve(EVERY_EVENT, after, null, 0, 0);

        // then
        assertCovers(after, snapshot, 0, 0);
        assertEquals(AccountType.CHECKING, snapshot.getAccountType());
        assertNull(snapshot.getEmail());
    }

    @Test
    void shouldSnapshotTheNewBalanceWhenMoneyDeposited() {
        // given
        AccountState after = state(state(null, Events.opened(ID, "100.00")), Events.deposited(ID, 2, "5.00", "105.00"));

        // when
        AccountSnapshot snapshot = Snapshots.evolve(EVERY_EVENT, after, null, 1, 7);

        // then
        assertCovers(after, snapshot, 1, 7);
        assertEquals(new BigDecimal("105.0000"), snapshot.getBalance());
    }

    @Test
    void shouldSnapshotTheNewBalanceWhenMoneyWithdrawn() {
        // given
        AccountState after = state(state(null, Events.opened(ID, "100.00")), Events.withdrawn(ID, 2, "5.00", "95.00"));

        // when
        AccountSnapshot snapshot = Snapshots.evolve(EVERY_EVENT, after, null, 1, 8);

        // then
        assertCovers(after, snapshot, 1, 8);
        assertEquals(new BigDecimal("95.0000"), snapshot.getBalance());
    }

    @Test
    void shouldSnapshotTheClosedAccountWhenAccountClosed() {
        // given
        AccountState after = state(state(null, Events.opened(ID, "0.00")), Events.closed(ID, 2));

        // when
        AccountSnapshot snapshot = Snapshots.evolve(EVERY_EVENT, after, null, 1, 9);

        // then
        assertCovers(after, snapshot, 1, 9);
        assertEquals(AccountStatus.CLOSED, snapshot.getStatus());
    }

    @Test
    void shouldTakeNoSnapshotWhenThePolicySaysNoneIsDue() {
        // given: every 2 events, and version 1
        AccountState after = state(null, Events.opened(ID, "100.00"));

        // when / then
        assertNull(Snapshots.evolve(Snapshots.Policy.everyEvents(2), after, null, 0, 0));
        assertNull(Snapshots.evolve(Snapshots.Policy.everyEvents(0), after, null, 0, 0));
    }

    private static void assertCovers(AccountState state, AccountSnapshot snapshot, int partition, long offset) {
        assertEquals(state.getVersion(), snapshot.getVersion());
        assertEquals(partition, snapshot.getLogPartition());
        assertEquals(offset, snapshot.getLogOffset());
        assertEquals(Snapshots.SCHEMA_VERSION, snapshot.getSchemaVersion());
        assertEquals(state, Snapshots.toState(snapshot));
    }

    private static AccountState state(AccountState before, BankAccountEvent event) {
        return assertInstanceOf(AccountStateView.Fold.Applied.class, AccountStateView.evolve(before, event)).state();
    }
}
