package dev.eventbank.projection.rebuild;

import org.apache.kafka.common.TopicPartition;

import java.util.Map;

/**
 * Decides, one measurement ({@link GenerationAdmin.Lag}) at a time, when a rebuilding generation has caught up with
 * the log, also while events keep being written. Used by the rebuild's monitor thread only.
 *
 * <p>Caught up is either:
 * <ul>
 *   <li>every partition at most one offset behind at one measurement ({@link GenerationAdmin.Lag#caughtUp()}): a
 *       quiet log; or</li>
 *   <li>in three steps, for a log that is never quiet: the generation's committed positions on the event log reach
 *       where the log ended at the measurement before; the repartition topics' ends are then taken at the next
 *       measurement, at their high watermarks (so records of a transaction whose marker is late count too); and
 *       the positions on the repartition topics reach those ends. Every event written up to the first of those
 *       measurements has then gone through the whole topology, whatever the write rate, as long as the generation
 *       keeps up with it.</li>
 * </ul>
 *
 * <p>Why not the first alone: it holds only at a moment when nothing was written on any partition since the
 * generation's last commit. In a CI run (stop 30) a rebuild that kept up with 46 events/s on three partitions stayed 3
 * to 6 offsets behind for two minutes and never switched; RebuildSwitchUnderLoadIT writes steadily to reproduce it.
 * Why not the event log alone: the bank totals are summed behind a repartition topic, so a switch then would publish
 * totals still missing events and publish them again moments later (ProjectionRebuildIT counts the totals records).
 */
final class CatchUp {

    private final String eventsTopic;
    private GenerationAdmin.Lag previous;
    private boolean eventsReached;
    /** Ends of the repartition topics to reach; null until taken. */
    private Map<TopicPartition, Long> internalTarget;

    /** @param eventsTopic the event log's name; every other topic measured is a repartition topic */
    CatchUp(String eventsTopic) {
        this.eventsTopic = eventsTopic;
    }

    /**
     * Takes the next measurement of the generation; an incomplete one (internal topics not created yet) is ignored.
     *
     * @return whether caught up at this measurement; after a true, the steps start again from this measurement
     */
    boolean caughtUp(GenerationAdmin.Lag lag) {
        if (!lag.complete()) {
            return false;
        }
        if (lag.caughtUp()) {
            restart(lag);
            return true;
        }
        if (internalTarget == null && eventsReached) {
            internalTarget = GenerationAdmin.partitionsOf(lag.highWatermarks(), eventsTopic, false);
        }
        if (!eventsReached && previous != null
                && lag.reached(GenerationAdmin.partitionsOf(previous.ends(), eventsTopic, true))) {
            eventsReached = true;
        }
        previous = lag;
        if (internalTarget == null || !lag.reached(internalTarget)) {
            return false;
        }
        restart(lag);
        return true;
    }

    /** Forgets every measurement: the steps start again at the next one (a paused generation, a rebalance). */
    void forget() {
        previous = null;
        eventsReached = false;
        internalTarget = null;
    }

    /** The next answer is judged afresh: a switch asked for later must not go by where the log was now. */
    private void restart(GenerationAdmin.Lag lag) {
        forget();
        previous = lag;
    }
}
