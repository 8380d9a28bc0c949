package dev.eventbank.command.domain;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Currency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MoneyTest {

    @Test
    void shouldCarryTheCurrencyScaleWhenCreated() {
        assertEquals("10.50 EUR", Money.of("10.5", "EUR").toString());
        assertEquals("7 JPY", Money.of("7.000", "JPY").toString());
        assertEquals("1.250 KWD", Money.of("1.25", "KWD").toString());
    }

    @Test
    void shouldRefuseMoreDecimalsThanTheCurrencyHas() {
        assertThrows(IllegalArgumentException.class, () -> Money.of("10.001", "EUR"));
        assertFalse(Money.fitsCurrency(new BigDecimal("0.5"), Currency.getInstance("JPY")));
        assertTrue(Money.fitsCurrency(new BigDecimal("1E+3"), Currency.getInstance("JPY")));
    }

    @Test
    void shouldCompareByValueWhenScalesDiffer() {
        assertEquals(Money.of("1", "EUR"), Money.of("1.00", "EUR"));
        assertTrue(Money.of("1", "EUR").isLessThan(Money.of("1.01", "EUR")));
    }

    @Test
    void shouldRefuseToMixCurrencies() {
        assertThrows(IllegalArgumentException.class, () -> Money.of("1", "EUR").plus(Money.of("1", "USD")));
    }
}
