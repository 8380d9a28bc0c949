package dev.eventbank.projection.totals;

import dev.eventbank.schemas.readmodel.BankTotals;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.util.function.Supplier;

/**
 * Reads the bank-wide totals from the {@code bank-totals-store}; zero totals before the first event. Limits: the
 * store has one key, so with several instances only the one owning its partition has it (the caller routes).
 */
public final class BankTotalsReader {

    private final Supplier<ReadOnlyKeyValueStore<String, BankTotals>> store;

    /** @param store the {@code bank-totals-store} of the generation active at the time of the read */
    public BankTotalsReader(Supplier<ReadOnlyKeyValueStore<String, BankTotals>> store) {
        this.store = store;
    }

    /** The current totals; {@link BankTotalsView#zero()} before the first event. */
    public BankTotals read() {
        BankTotals totals = store.get().get(BankTotalsProjection.KEY);
        return totals != null ? totals : BankTotalsView.zero();
    }
}
