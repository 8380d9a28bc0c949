package dev.eventbank.projection.totals;

import dev.eventbank.schemas.readmodel.BankTotals;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The summing step of the bank totals ({@link BankTotalsProjection#sumOrRefuse}): sums up to the contract's
 * {@code decimal(51,4)} are kept exactly and can be written; a sum beyond it is refused, and what is kept can still be
 * written, so the stream thread never meets a total Avro cannot serialize.
 */
class BankTotalsSumTest {

    private static final Instant T0 = Instant.parse("2025-01-01T10:00:00Z");
    private static final Serde<BankTotals> SERDE = AvroSerdes.value(BankTotals.class,
            SchemaRegistryClients.forUrl("mock://totals-sum-" + UUID.randomUUID()));

    /** The largest sum {@code decimal(51,4)} holds: 47 nines, 4 decimals. */
    private static final BigDecimal LARGEST = new BigDecimal("9".repeat(47) + ".9999");

    @Test
    void shouldReadThePrecisionAndScaleFromTheContract() {
        assertEquals(51, BankTotalsView.PRECISION);
        assertEquals(4, BankTotalsView.SCALE);
    }

    @Test
    void shouldSumExactlyAndWriteWhenTheSumPassesTenToTheEighteen() {
        // given: version 1's limit was 10^18 per currency
        BankTotals total = totals("999999999999999999.9999", 1);
        BankTotals delta = totals("999999999999999999.9999", 1);

        // when
        BankTotals sum = BankTotalsProjection.sumOrRefuse(total, delta);

        // then
        assertEquals(new BigDecimal("1999999999999999999.9998"), sum.getBalances().get("CHF"));
        assertEquals(2L, sum.getEventsApplied());
        assertEquals(sum, SERDE.deserializer().deserialize("bank-totals", SERDE.serializer().serialize("bank-totals", sum)));
    }

    @Test
    void shouldKeepTheLargestSumTheContractHolds() {
        // given
        BankTotals total = totals(LARGEST.subtract(new BigDecimal("1.0000")).toPlainString(), 7);

        // when
        BankTotals sum = BankTotalsProjection.sumOrRefuse(total, totals("1.0000", 1));

        // then
        assertEquals(LARGEST, sum.getBalances().get("CHF"));
        assertEquals(List.of(), BankTotalsView.beyondContract(sum));
        assertEquals(sum, SERDE.deserializer().deserialize("bank-totals", SERDE.serializer().serialize("bank-totals", sum)));
    }

    @Test
    void shouldRefuseTheDeltaAndKeepTheTotalsWritableWhenTheSumWouldNotFitTheContract() {
        // given
        BankTotals total = totals(LARGEST.toPlainString(), 7);

        // when
        BankTotals sum = BankTotalsProjection.sumOrRefuse(total, totals("0.0001", 1));

        // then: the totals as they were (Avro would have thrown on 10^47), still writable
        assertSame(total, sum);
        assertEquals(List.of("CHF"), BankTotalsView.beyondContract(BankTotalsView.plus(total, totals("0.0001", 1))));
        assertEquals(sum, SERDE.deserializer().deserialize("bank-totals", SERDE.serializer().serialize("bank-totals", sum)));
    }

    private static BankTotals totals(String chf, long events) {
        return new BankTotals(Map.of("CHF", new BigDecimal(chf).setScale(4)), Map.of("OPEN", events), events, T0);
    }
}
