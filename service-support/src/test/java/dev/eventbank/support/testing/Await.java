package dev.eventbank.support.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A bounded wait for a condition in a test: polls every 20 ms and fails the test, naming what it waited for, once
 * {@code within} has passed without it. The bound is a test's patience, never a figure being measured.
 */
public final class Await {

    private static final long POLL_MILLIS = 20;

    private Await() {
    }

    /**
     * Returns once {@code condition} holds.
     *
     * @param what   what is waited for, for the failure message
     * @param within how long at most
     * @throws AssertionError when it did not hold within {@code within}
     */
    public static void until(BooleanSupplier condition, String what, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("waited " + within + " for " + what);
            }
            Thread.sleep(POLL_MILLIS);
        }
    }
}
