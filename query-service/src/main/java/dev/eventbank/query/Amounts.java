package dev.eventbank.query;

import dev.eventbank.schemas.AvroDecimals;

import java.math.BigDecimal;

/** How every amount of the public read JSON is written: a decimal string in the currency's scale ("120.00"). */
final class Amounts {

    private Amounts() {
    }

    /** In the currency's scale; an amount that does not fit it (never written by our side) is shown as is, not a 500. */
    static String text(BigDecimal amount, String currency) {
        try {
            return AvroDecimals.fromWire(amount, currency).toPlainString();
        } catch (ArithmeticException | IllegalArgumentException e) {
            return amount.stripTrailingZeros().toPlainString();
        }
    }
}
