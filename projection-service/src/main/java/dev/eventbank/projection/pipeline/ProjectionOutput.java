package dev.eventbank.projection.pipeline;

import dev.eventbank.schemas.readmodel.AccountSnapshot;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.readmodel.BankTotals;

/**
 * What the one fold processor emits towards the public topics: each read model forwards its own kind, and
 * {@link ReadSideTopology} routes each kind to the sink its read model wires. Records, so a test can compare them.
 */
public sealed interface ProjectionOutput {

    /** A new account state for {@code bank-account-state} (state read model). */
    record StateChanged(AccountState state) implements ProjectionOutput {
    }

    /** A new snapshot for {@code bank-account-snapshots} (snapshots read model). */
    record SnapshotTaken(AccountSnapshot snapshot) implements ProjectionOutput {
    }

    /** What one applied event changed in the bank-wide totals, in the totals' own shape (totals read model). */
    record TotalsChanged(BankTotals delta) implements ProjectionOutput {
    }

    /** The untouched input record's value, for {@code bank-account-events-dlq}. */
    record DeadLetter(byte[] value) implements ProjectionOutput {
    }
}
