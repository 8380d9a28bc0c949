package dev.eventbank.projection;

import io.micronaut.runtime.Micronaut;

/**
 * Starts the projection service on port 8084: the account state projection (with history, snapshots and bank
 * totals, see {@link AccountStateProjection}), health, metrics (incl. {@link ProjectionLagMetrics}) and the
 * interactive queries the query service relays ({@code /iq/...}, {@link InteractiveQueryController}).
 */
public final class Application {

    private Application() {
    }

    public static void main(String[] args) {
        Micronaut.run(Application.class, args);
    }
}
