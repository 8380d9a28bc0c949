package dev.eventbank.projection.history;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HistoryKeysTest {

    private static final String ACCOUNT = "7d3c9a52-0f1e-4a7b-9a1c-3e5f7a9b1c2d";

    @Test
    void theVersionIsZeroPaddedTo19DigitsSoKeysSortInVersionOrder() {
        assertEquals(ACCOUNT + ":0000000000000000000", HistoryKeys.first(ACCOUNT));
        assertEquals(ACCOUNT + ":0000000000000000042", HistoryKeys.key(ACCOUNT, 42));
        assertEquals(ACCOUNT + ":9223372036854775807", HistoryKeys.last(ACCOUNT));
        List<Long> versions = List.of(0L, 1L, 9L, 10L, 99L, 100L, 123_456_789L, Long.MAX_VALUE);
        for (int i = 1; i < versions.size(); i++) {
            String lower = HistoryKeys.key(ACCOUNT, versions.get(i - 1));
            String higher = HistoryKeys.key(ACCOUNT, versions.get(i));
            assertTrue(lower.compareTo(higher) < 0, lower + " < " + higher);
            assertEquals(versions.get(i), HistoryKeys.version(higher));
        }
    }

    @Test
    void aNegativeVersionIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> HistoryKeys.key(ACCOUNT, -1));
    }
}
