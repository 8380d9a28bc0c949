package dev.eventbank.command.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;
import java.util.Objects;

/**
 * An exact amount of one currency. The amount always carries the currency's own scale (2 for EUR, 0 for JPY,
 * 3 for KWD), so {@code 10.5 EUR} is held, compared and printed as {@code 10.50}; more decimals than the
 * currency has are refused, never rounded.
 *
 * <p>Limits: {@link #MAX_AMOUNT} for one movement and {@link #MAX_BALANCE} for a balance keep every value
 * well inside the wire type (Avro decimal(22,4), up to 10^18). Currencies without minor units in ISO 4217
 * (XAU, XXX: default fraction digits -1) are treated as having 0 decimals.
 */
public record Money(BigDecimal amount, Currency currency) implements Comparable<Money> {

    /** Largest amount of a single deposit, withdrawal or initial deposit: 10^12. */
    public static final BigDecimal MAX_AMOUNT = BigDecimal.TEN.pow(12);

    /** Largest balance an account may hold: 10^15. */
    public static final BigDecimal MAX_BALANCE = BigDecimal.TEN.pow(15);

    public Money {
        Objects.requireNonNull(amount, "amount");
        Objects.requireNonNull(currency, "currency");
        if (!fitsCurrency(amount, currency)) {
            throw new IllegalArgumentException(amount.toPlainString() + " has more decimals than "
                    + currency.getCurrencyCode() + " allows (" + fractionDigits(currency) + ")");
        }
        amount = amount.setScale(fractionDigits(currency), RoundingMode.UNNECESSARY);
    }

    public static Money of(String amount, String currencyCode) {
        return new Money(new BigDecimal(amount), Currency.getInstance(currencyCode));
    }

    public static Money zero(Currency currency) {
        return new Money(BigDecimal.ZERO, currency);
    }

    /** The decimals an amount of {@code currency} may have. */
    public static int fractionDigits(Currency currency) {
        return Math.max(currency.getDefaultFractionDigits(), 0);
    }

    /** True when {@code amount} has no more (non-zero) decimals than {@code currency} allows: 10.500 EUR fits. */
    public static boolean fitsCurrency(BigDecimal amount, Currency currency) {
        return amount.stripTrailingZeros().scale() <= fractionDigits(currency);
    }

    public Money plus(Money other) {
        return new Money(amount.add(sameCurrency(other).amount), currency);
    }

    public Money minus(Money other) {
        return new Money(amount.subtract(sameCurrency(other).amount), currency);
    }

    public boolean isZero() {
        return amount.signum() == 0;
    }

    public boolean isLessThan(Money other) {
        return compareTo(other) < 0;
    }

    @Override
    public int compareTo(Money other) {
        return amount.compareTo(sameCurrency(other).amount);
    }

    private Money sameCurrency(Money other) {
        if (!currency.equals(other.currency)) {
            throw new IllegalArgumentException("cannot combine " + this + " with " + other);
        }
        return other;
    }

    @Override
    public String toString() {
        return amount.toPlainString() + " " + currency.getCurrencyCode();
    }
}
