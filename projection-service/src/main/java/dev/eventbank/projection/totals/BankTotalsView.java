package dev.eventbank.projection.totals;

import dev.eventbank.schemas.AvroDecimals;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.readmodel.BankTotals;

import org.apache.avro.LogicalTypes;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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
 *
 * <p>Why the sums cannot overflow their contract: {@code BankTotals} (version 2) holds each currency's sum as
 * {@code decimal(51,4)} ({@link #PRECISION}), less than 10^47. Each balance the projection folds is at most
 * {@code decimal(22,4)}, less than 10^18 (the event's amounts are checked before the fold; the command service's own
 * cap is 10^15). Every account has at least its {@code AccountOpened} in {@code bank-account-events}, whose
 * partitions number at most 2^31 (a partition id is an int) with at most 2^63 offsets each, so fewer than 2^94
 * (about 1.98 x 10^28) accounts exist, and any sum of their balances is below 1.98 x 10^46: 47 integer digits plus
 * the 4 decimals. Version 1's {@code decimal(22,4)} sums stopped the summing stream thread as soon as a currency
 * passed 10^18 (a handful of large accounts). {@link #beyondContract} still checks every sum before it is stored,
 * so that a total the contract cannot hold (nothing within the bound above) is refused rather than thrown.
 */
public final class BankTotalsView {

    /** The logical type of the contract's per-currency sums, read from the {@code BankTotals} schema. */
    private static final LogicalTypes.Decimal SUM_TYPE = (LogicalTypes.Decimal) BankTotals.getClassSchema()
            .getField("balances").schema().getValueType().getLogicalType();

    /** The decimal precision of the contract's per-currency sums (51). */
    public static final int PRECISION = SUM_TYPE.getPrecision();

    /** The decimal scale of the contract's per-currency sums (4, as every amount on the wire). */
    public static final int SCALE = SUM_TYPE.getScale();

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

    /**
     * The currencies of {@code totals} whose sum cannot be written as the contract's {@code decimal(PRECISION,
     * SCALE)} (more than {@code PRECISION - SCALE} integer digits); empty when all fit. Avro refuses to write such a
     * sum, so a total with any must not reach the store or the topic.
     */
    public static List<String> beyondContract(BankTotals totals) {
        List<String> beyond = new ArrayList<>();
        totals.getBalances().forEach((currency, amount) -> {
            if (amount.scale() > SCALE || amount.precision() - amount.scale() > PRECISION - SCALE) {
                beyond.add(currency);
            }
        });
        return beyond;
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
