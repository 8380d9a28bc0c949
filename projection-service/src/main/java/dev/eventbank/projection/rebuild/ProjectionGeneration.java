package dev.eventbank.projection.rebuild;

import dev.eventbank.projection.pipeline.LogProgress;
import dev.eventbank.projection.pipeline.Publishing;
import dev.eventbank.support.streams.ManagedStreams;

import java.nio.file.Path;

/**
 * One generation of the projection: a Kafka Streams app with its own application id ({@code <base>} for
 * generation 0, so existing deployments keep their state and consumer group, {@code <base>-g<N>} after that), its
 * own state directory, its progress counters and its publishing gate. A rebuild runs generation N+1 next to the
 * active generation N in the same process.
 */
public record ProjectionGeneration(long number, String applicationId, Path stateDir, ManagedStreams streams,
                            LogProgress progress, Publishing publishing) {

    /** The response header of the interactive queries naming the generation whose stores answered. */
    public static final String HEADER = "X-Projection-Generation";

    static String applicationId(String base, long generation) {
        return generation == 0 ? base : base + "-g" + generation;
    }

    /** Generation 0 uses the configured directory as it always did; later ones a {@code g<N>} directory inside it. */
    static Path stateDir(Path base, long generation) {
        return generation == 0 ? base : base.resolve("g" + generation);
    }
}
