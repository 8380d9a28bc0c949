package dev.eventbank.query;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many {@code minVersion} reads each caller (a token's subject) has in flight, at most {@code max} each, so that
 * one caller cannot take every slot of the service-wide cap ({@code VersionWaiters}, {@code max-waiting-reads}) and
 * turn everyone else's read-your-writes into 503s. Reads the caller may not tell apart (an unknown id, another
 * customer's account) must wait their whole bound, so they cannot be answered early instead. Thread safe; a caller's
 * entry is dropped when its last read ends, so the map holds only callers with reads in flight.
 */
final class WaitsPerCaller {

    private final Map<String, Integer> inFlight = new ConcurrentHashMap<>();
    private final int max;

    /** @param max reads one caller may have in flight, at least 1 */
    WaitsPerCaller(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("the waiting reads per caller must be at least 1, got " + max);
        }
        this.max = max;
    }

    /** Takes a slot for {@code caller}; false (and nothing taken) when it already has {@code max}. */
    boolean tryAcquire(String caller) {
        boolean[] taken = {false};
        inFlight.compute(caller, (key, count) -> {
            int now = count == null ? 0 : count;
            if (now >= max) {
                return count;
            }
            taken[0] = true;
            return now + 1;
        });
        return taken[0];
    }

    /** Gives back a slot taken by {@link #tryAcquire}. */
    void release(String caller) {
        inFlight.computeIfPresent(caller, (key, count) -> count <= 1 ? null : count - 1);
    }

    /** The slots {@code caller} holds now (for tests and metrics). */
    int inFlight(String caller) {
        return inFlight.getOrDefault(caller, 0);
    }

    int max() {
        return max;
    }
}
