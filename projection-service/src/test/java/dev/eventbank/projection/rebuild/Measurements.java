package dev.eventbank.projection.rebuild;

import org.apache.kafka.common.TopicPartition;

import java.util.HashMap;
import java.util.Map;

/** Made-up {@link GenerationAdmin.Lag} measurements over two event-log partitions and one repartition partition. */
final class Measurements {

    static final String EVENTS = "bank-account-events";
    static final TopicPartition EVENTS_0 = new TopicPartition(EVENTS, 0);
    static final TopicPartition EVENTS_1 = new TopicPartition(EVENTS, 1);
    static final TopicPartition REPARTITION_0 = new TopicPartition("g1-bank-totals-deltas-repartition", 0);

    private Measurements() {
    }

    /**
     * Positions and last stable offsets of the three partitions, with one record of an open transaction on the
     * repartition partition (its high watermark one past its last stable offset).
     */
    static GenerationAdmin.Lag measured(long events0, long events1, long repartition0,
                                        long end0, long end1, long repartitionEnd0) {
        Map<TopicPartition, Long> positions = Map.of(EVENTS_0, events0, EVENTS_1, events1, REPARTITION_0, repartition0);
        Map<TopicPartition, Long> ends = Map.of(EVENTS_0, end0, EVENTS_1, end1, REPARTITION_0, repartitionEnd0);
        long worst = ends.entrySet().stream().mapToLong(end -> end.getValue() - positions.get(end.getKey())).max()
                .orElse(0);
        Map<TopicPartition, Long> highWatermarks = new HashMap<>(ends);
        highWatermarks.put(REPARTITION_0, repartitionEnd0 + 1);
        return new GenerationAdmin.Lag(0, 0, worst, true, Map.of(), 0, positions, ends, highWatermarks);
    }

    /** The same measurement without an open transaction: high watermarks at the last stable offsets. */
    static GenerationAdmin.Lag quiet(GenerationAdmin.Lag lag) {
        return new GenerationAdmin.Lag(lag.events(), lag.internal(), lag.worstPartition(), true, Map.of(), 0,
                lag.positions(), lag.ends(), lag.ends());
    }

    /** A measurement taken before the generation's internal topics exist. */
    static GenerationAdmin.Lag incomplete() {
        return new GenerationAdmin.Lag(-1, -1, Long.MAX_VALUE, false, Map.of(), 0, Map.of(), Map.of(), Map.of());
    }
}
