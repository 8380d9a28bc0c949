package dev.eventbank.projection.totals;

import dev.eventbank.schemas.AvroDecimals;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.readmodel.BankTotals;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The bank totals read model's evolve function: total balance per currency and account counts by status.
 * {@link #evolve} folds one account's state change into the totals; it is {@link #plus} of the totals and the
 * change's {@link #delta}, the two steps the topology runs apart (deltas are summed by one task). Pure: no Kafka. A delta
 * has the totals' own shape, so the same Avro serde carries deltas (repartition topic) and totals (store, topic).
 *
 * <p>Exactly once per event: only events the account fold applied produce a delta (a re-delivery produces none),
 * and under exactly_once_v2 the delta, its summing and the input offsets commit together. Limits: all deltas
 * go to one key, so the totals are summed by one task (one partition), which bounds their throughput; the totals
 * lag the account states by one repartition hop.
 */
public final class BankTotalsView {

    private BankTotalsView() {
    }

    /** Folds one account's change from {@code before} (null = not open yet) to {@code after} into {@code totals}. */
    public static BankTotals evolve(BankTotals totals, AccountState before, AccountState after) {
        return plus(totals, delta(before, after));
    }

    /** No account, no event: the totals before the first event. */
    public static BankTotals zero() {
        return new BankTotals(Map.of(), Map.of(), 0L, Instant.EPOCH);
    }

    /** What changing one account from {@code before} (null = not open yet) to {@code after} adds to the totals. */
    public static BankTotals delta(AccountState before, AccountState after) {
        Map<String, BigDecimal> balances = new HashMap<>();
        Map<String, Long> counts = new HashMap<>();
        BigDecimal change = before == null ? after.getBalance() : after.getBalance().subtract(before.getBalance());
        balances.put(after.getCurrency(), AvroDecimals.toWire(change));
        counts.merge(after.getStatus().name(), 1L, Long::sum);
        if (before != null) {
            counts.merge(before.getStatus().name(), -1L, Long::sum);
        }
        return new BankTotals(balances, counts, 1L, after.getUpdatedAt());
    }

    /** The sum of two totals (or a total and a delta); the later {@code updatedAt} wins. */
    public static BankTotals plus(BankTotals a, BankTotals b) {
        Map<String, BigDecimal> balances = new TreeMap<>(a.getBalances());
        b.getBalances().forEach((currency, amount) -> balances.merge(currency, amount,
                (x, y) -> AvroDecimals.toWire(x.add(y))));
        Map<String, Long> counts = new TreeMap<>(a.getAccountsByStatus());
        b.getAccountsByStatus().forEach((status, count) -> counts.merge(status, count, Long::sum));
        Instant updatedAt = a.getUpdatedAt().isAfter(b.getUpdatedAt()) ? a.getUpdatedAt() : b.getUpdatedAt();
        return new BankTotals(balances, counts, a.getEventsApplied() + b.getEventsApplied(), updatedAt);
    }
}
