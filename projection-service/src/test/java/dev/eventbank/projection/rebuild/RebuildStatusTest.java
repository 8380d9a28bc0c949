package dev.eventbank.projection.rebuild;

import dev.eventbank.projection.pipeline.LogProgress;
import dev.eventbank.projection.pipeline.Publishing;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@code GET /admin/rebuild} shows for each phase of a rebuild, and the progress figures. */
class RebuildStatusTest {

    private static final ProjectionGeneration GENERATION = new ProjectionGeneration(2, "app-g2", Path.of("g2"), null,
            new LogProgress(), Publishing.gated());

    @Test
    void shouldShowTheErrorAndWarningWhenFailed() {
        // when
        RebuildStatus status = RebuildStatus.of(new RebuildPhase.Failed("stopped: ERROR", "topics kept"), GENERATION, 1,
                new RebuildProgress());

        // then
        assertEquals("FAILED", status.state());
        assertEquals("stopped: ERROR", status.error());
        assertEquals("topics kept", status.warning());
        assertNull(status.switchedAt());
        assertEquals(2, status.generation());
        assertEquals(1, status.activeGeneration());
        assertEquals("app-g2", status.applicationId());
    }

    @Test
    void shouldShowWhenItSwitchedWhenDone() {
        // given
        Instant switchedAt = Instant.parse("2026-12-01T10:00:00Z");

        // when
        RebuildStatus status = RebuildStatus.of(new RebuildPhase.Done(switchedAt, 12.5, null), GENERATION, 2,
                new RebuildProgress());

        // then
        assertEquals("DONE", status.state());
        assertEquals(switchedAt.toString(), status.switchedAt());
        assertEquals(12.5, status.secondsToSwitch());
        assertNull(status.error());
    }

    @Test
    void shouldCountEventsLeftAndTheRateFromTheSamples() {
        // given
        RebuildProgress progress = new RebuildProgress();

        // when: 100 events in the first second, 300 more in the next, 600 left
        progress.sample(0, 0, null);
        progress.sample(1_000_000_000L, 100, 900L);
        progress.sample(2_000_000_000L, 400, 600L);
        RebuildStatus status = RebuildStatus.of(new RebuildPhase.Rebuilding(), GENERATION, 1, progress);

        // then
        assertEquals("REBUILDING", status.state());
        assertEquals(400, status.eventsProcessed());
        assertEquals(600L, status.lag());
        assertEquals(1000L, status.eventsTotal());
        assertEquals(200.0, status.eventsPerSecond(), 1e-9);
        assertEquals(3.0, status.etaSeconds(), 1e-9);
    }

    @Test
    void shouldTellWhichPhasesCanStillBeSwitchedOrCancelled() {
        assertTrue(new RebuildPhase.Rebuilding().beforeSwitch());
        assertTrue(new RebuildPhase.CaughtUp().beforeSwitch());
        assertFalse(new RebuildPhase.Switching(Instant.EPOCH, 1).beforeSwitch());
        assertFalse(new RebuildPhase.Switching(Instant.EPOCH, 1).finished());
        assertTrue(new RebuildPhase.Done(Instant.EPOCH, 1, null).finished());
        assertTrue(new RebuildPhase.Failed("x", null).finished());
        assertTrue(new RebuildPhase.Cancelled(null).finished());
    }
}
