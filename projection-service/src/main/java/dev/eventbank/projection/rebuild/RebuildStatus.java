package dev.eventbank.projection.rebuild;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.micronaut.serde.annotation.Serdeable;

/**
 * The JSON of {@code GET /admin/rebuild}: where the last rebuild started by this instance is. {@code state} is
 * {@code NONE} (none since start), {@code REBUILDING} (catching up; reads still served by the active generation),
 * {@code CAUGHT_UP} (only when started with {@code autoSwitch=false}: waiting for {@code POST /admin/rebuild/switch}),
 * {@code SWITCHING} (reads already on the new generation, the old one being stopped and deleted), {@code DONE},
 * {@code FAILED} (see {@code error}) or {@code CANCELLED}. Counts are events (records) of
 * {@code bank-account-events}, never offsets (transaction markers and aborted records take offsets too):
 * {@code lag} is the events left, estimated from the offsets left and the share of events among the offsets passed
 * so far, exact (0) once caught up and null until the new generation has committed a position (see
 * {@link GenerationAdmin.Lag#eventsLeft}); {@code eventsTotal} = processed + lag.
 */
@Serdeable
@JsonInclude(JsonInclude.Include.ALWAYS)
public record RebuildStatus(String state, long generation, long activeGeneration, String applicationId,
                     long eventsProcessed, Long eventsTotal, Long lag, double eventsPerSecond,
                     double averageEventsPerSecond, Double etaSeconds, double elapsedSeconds, String startedAt,
                     String switchedAt, Double secondsToSwitch, String error, String warning) {

    static RebuildStatus none(long activeGeneration, String applicationId) {
        return new RebuildStatus("NONE", activeGeneration, activeGeneration, applicationId, 0, null, null, 0, 0,
                null, 0, null, null, null, null, null);
    }

    /** Where a rebuild of {@code generation} is, next to the active generation {@code activeGeneration}. */
    static RebuildStatus of(RebuildPhase phase, ProjectionGeneration generation, long activeGeneration,
                            RebuildProgress progress) {
        double elapsed = progress.elapsedSeconds();
        long processed = progress.processed();
        Long lag = progress.lag();
        String switchedAt = null;
        Double secondsToSwitch = null;
        String error = null;
        String warning = null;
        if (phase instanceof RebuildPhase.Switching switching) {
            switchedAt = switching.switchedAt().toString();
            secondsToSwitch = switching.secondsToSwitch();
        } else if (phase instanceof RebuildPhase.Done done) {
            switchedAt = done.switchedAt().toString();
            secondsToSwitch = done.secondsToSwitch();
            warning = done.warning();
        } else if (phase instanceof RebuildPhase.Failed failed) {
            error = failed.error();
            warning = failed.warning();
        } else if (phase instanceof RebuildPhase.Cancelled cancelled) {
            warning = cancelled.warning();
        }
        return new RebuildStatus(phase.name(), generation.number(), activeGeneration, generation.applicationId(),
                processed, lag == null ? null : processed + lag, lag, progress.rate(), elapsed > 0 ? processed / elapsed : 0,
                progress.etaSeconds(), elapsed, progress.startedAt().toString(), switchedAt, secondsToSwitch, error, warning);
    }
}
