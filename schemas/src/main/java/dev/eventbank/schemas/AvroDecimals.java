package dev.eventbank.schemas;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Money on the wire: every amount in our schemas is an Avro {@code decimal(22, 4)}, which holds the
 * minor units of every ISO 4217 currency exactly (none has more than 4 decimals) up to 10^18.
 *
 * <p>Avro's decimal conversion insists on the schema's exact scale, so amounts are rescaled here on the
 * way out and trimmed back to the currency's own scale on the way in.
 */
public final class AvroDecimals {

    public static final int SCALE = 4;
    public static final int PRECISION = 22;

    private AvroDecimals() {
    }

    /** The amount with the wire scale; fails rather than round, since money must never be rounded silently. */
    public static BigDecimal toWire(BigDecimal amount) {
        return amount.setScale(SCALE, RoundingMode.UNNECESSARY);
    }

    /**
     * Whether {@code amount} can be written as the wire's {@code decimal(22,4)}: at most 4 decimals and 18 integer
     * digits. Reading does not check it (the wire carries any unscaled integer), writing does (Avro's decimal
     * conversion throws), so an amount read from a record must pass here before a read model stores it.
     */
    public static boolean fitsWire(BigDecimal amount) {
        return amount.scale() <= SCALE && amount.precision() - amount.scale() <= PRECISION - SCALE;
    }

    /** The wire amount with the currency's scale (2 for EUR, 0 for JPY, 3 for KWD). */
    public static BigDecimal fromWire(BigDecimal amount, String currency) {
        int digits = java.util.Currency.getInstance(currency).getDefaultFractionDigits();
        return amount.setScale(Math.max(digits, 0), RoundingMode.UNNECESSARY);
    }
}
