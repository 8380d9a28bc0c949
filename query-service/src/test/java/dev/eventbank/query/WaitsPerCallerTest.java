package dev.eventbank.query;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WaitsPerCallerTest {

    @Test
    void shouldGiveEachCallerItsOwnSlotsAndTakeThemBack() {
        WaitsPerCaller waits = new WaitsPerCaller(2);

        assertTrue(waits.tryAcquire("a"));
        assertTrue(waits.tryAcquire("a"));
        assertFalse(waits.tryAcquire("a"));
        assertTrue(waits.tryAcquire("b"));
        assertEquals(2, waits.inFlight("a"));

        waits.release("a");
        assertTrue(waits.tryAcquire("a"));
        waits.release("a");
        waits.release("a");
        waits.release("b");
        assertEquals(0, waits.inFlight("a"));
        assertEquals(0, waits.inFlight("b"));
        // a release without a slot changes nothing
        waits.release("c");
        assertEquals(0, waits.inFlight("c"));
    }

    @Test
    void shouldRefuseANonPositiveLimit() {
        assertThrows(IllegalArgumentException.class, () -> new WaitsPerCaller(0));
    }
}
