package dev.eventbank.projection;

import dev.eventbank.projection.pipeline.ReadSideTopology;
import dev.eventbank.http.ServiceLauncher;

/**
 * Starts the projection service on port 8084: the read side's topology (account state, history, snapshots and bank
 * totals, see {@link ReadSideTopology}), health, metrics (incl. {@link ProjectionLagMetrics}), the rebuild
 * ({@link RebuildController}) and the internal read API the query service answers from ({@code /internal/v1/...}).
 */
public final class Application {

    private Application() {
    }

    public static void main(String[] args) {
        ServiceLauncher.run(Application.class, args);
    }
}
