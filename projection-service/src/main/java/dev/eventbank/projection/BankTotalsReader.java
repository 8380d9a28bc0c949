package dev.eventbank.projection;

import dev.eventbank.schemas.readmodel.BankTotals;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Reads the bank-wide totals from the {@code bank-totals-store}; zero totals before the first event. Limits: the
 * store has one key, so with several instances only the one owning its partition has it (the caller routes).
 */
final class BankTotalsReader {

    private final Supplier<ReadOnlyKeyValueStore<String, BankTotals>> store;

    BankTotalsReader(Supplier<ReadOnlyKeyValueStore<String, BankTotals>> store) {
        this.store = store;
    }

    BankTotals read() {
        BankTotals totals = store.get().get(ReadSideNames.BANK_TOTALS_KEY);
        return totals != null ? totals : new BankTotals(Map.of(), Map.of(), 0L, Instant.EPOCH);
    }
}
