package dev.eventbank.query;

import dev.eventbank.schemas.readmodel.BankTotals;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The public JSON of the bank totals: what a client reads before and after the first event. */
class TotalsResponseTest {

    @Test
    void shouldGiveNoUpdateTimeBeforeAnyEventInsteadOfTheEpoch() {
        // given: the totals the projection answers while it has applied no event
        BankTotals empty = new BankTotals(Map.of(), Map.of(), 0L, Instant.EPOCH);

        // when
        TotalsResponse response = TotalsResponse.of(empty);

        // then
        assertNull(response.updatedAt());
        assertEquals(0L, response.eventsApplied());
        assertEquals(Map.of(), response.balances());
    }

    @Test
    void shouldGiveTheLatestEventsTimeAndEachBalanceInItsCurrencysScale() {
        // given
        BankTotals totals = new BankTotals(Map.of("EUR", new BigDecimal("125.0000"), "JPY", new BigDecimal("300.0000")),
                Map.of("OPEN", 2L, "CLOSED", 0L), 6L, Instant.parse("2026-12-05T03:40:00.226Z"));

        // when
        TotalsResponse response = TotalsResponse.of(totals);

        // then
        assertEquals("2026-12-05T03:40:00.226Z", response.updatedAt());
        assertEquals(Map.of("EUR", "125.00", "JPY", "300"), response.balances());
        assertEquals(Map.of("CLOSED", 0L, "OPEN", 2L), response.accountsByStatus());
    }
}
