package dev.eventbank.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.eventbank.schemas.readmodel.BankTotals;
import io.micronaut.serde.annotation.Serdeable;

import java.util.Map;
import java.util.TreeMap;

/**
 * The bank totals as JSON ({@code GET /bank/totals}): balances per currency as decimal strings in the currency's
 * scale, account counts by status, events applied and {@code updatedAt} ISO-8601 UTC (the latest applied event's
 * time; null while no event has been applied, not the epoch the empty totals carry); keys in alphabetical order.
 * A sum can have up to 47 integer digits ({@code BankTotals} v2 is {@code decimal(51,4)}), past what a JSON number
 * survives in clients that parse numbers as doubles (2^53), so it is a string, written with
 * {@link java.math.BigDecimal#toPlainString()}: never exponent notation ({@code 2E+18}) a client could misread.
 */
@Serdeable
@JsonInclude(JsonInclude.Include.ALWAYS)
record TotalsResponse(Map<String, String> balances, Map<String, Long> accountsByStatus, long eventsApplied,
                      String updatedAt) {

    static TotalsResponse of(BankTotals totals) {
        Map<String, String> balances = new TreeMap<>();
        totals.getBalances().forEach((currency, amount) -> balances.put(currency, Amounts.text(amount, currency)));
        return new TotalsResponse(balances, new TreeMap<>(totals.getAccountsByStatus()), totals.getEventsApplied(),
                totals.getEventsApplied() == 0 ? null : totals.getUpdatedAt().toString());
    }
}
