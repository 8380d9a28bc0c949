package dev.eventbank.projection.rebuild;

import java.time.Instant;

/**
 * Where one rebuild is, as a sealed type: {@link Rebuilding} (catching up; reads still on the active generation) →
 * {@link CaughtUp} (only without auto-switch: waiting for {@code POST /admin/rebuild/switch}) → {@link HandingOver}
 * (the old generation's publishing closed, the new one reaching what it published) → {@link Switching} (reads
 * already on the new generation, the old one being stopped and deleted) → {@link Done}; or, from a phase before
 * {@link HandingOver}, {@link Failed} or {@link Cancelled}, and from {@link HandingOver}, {@link Failed}. What a phase alone knows (an error, when it
 * switched, a warning about left-overs) is in its record, so no field of a rebuild is meaningful only in some phases.
 * {@link #name()} is the {@code state} of {@code GET /admin/rebuild}.
 */
public sealed interface RebuildPhase {

    /** The name shown as {@code state} ({@code REBUILDING}, ...). */
    String name();

    /** Whether the rebuild is over (nothing runs for it any more). */
    default boolean finished() {
        return false;
    }

    /** Whether it may still be cancelled or switched (nothing has been switched yet). */
    default boolean beforeSwitch() {
        return false;
    }

    /** Catching up with the log. */
    record Rebuilding() implements RebuildPhase {
        @Override
        public String name() {
            return "REBUILDING";
        }

        @Override
        public boolean beforeSwitch() {
            return true;
        }
    }

    /** Caught up and keeping up, waiting for a switch request. */
    record CaughtUp() implements RebuildPhase {
        @Override
        public String name() {
            return "CAUGHT_UP";
        }

        @Override
        public boolean beforeSwitch() {
            return true;
        }
    }

    /**
     * Caught up: the previous generation no longer publishes, and the new one is reaching what it published
     * ({@link Handover}); reads still go to the previous one. Shown as {@code SWITCHING}.
     */
    record HandingOver() implements RebuildPhase {
        @Override
        public String name() {
            return "SWITCHING";
        }
    }

    /** Reads go to the new generation; the previous one is being retired. */
    record Switching(Instant switchedAt, double secondsToSwitch) implements RebuildPhase {
        @Override
        public String name() {
            return "SWITCHING";
        }
    }

    /** The new generation is active and the previous one retired; {@code warning} if not all of it was deleted. */
    record Done(Instant switchedAt, double secondsToSwitch, String warning) implements RebuildPhase {
        @Override
        public String name() {
            return "DONE";
        }

        @Override
        public boolean finished() {
            return true;
        }
    }

    /** Ended without a switch because of {@code error}; what it built was deleted ({@code warning} if not all). */
    record Failed(String error, String warning) implements RebuildPhase {
        @Override
        public String name() {
            return "FAILED";
        }

        @Override
        public boolean finished() {
            return true;
        }
    }

    /** Cancelled by an operator; what it built was deleted ({@code warning} if not all). */
    record Cancelled(String warning) implements RebuildPhase {
        @Override
        public String name() {
            return "CANCELLED";
        }

        @Override
        public boolean finished() {
            return true;
        }
    }
}
