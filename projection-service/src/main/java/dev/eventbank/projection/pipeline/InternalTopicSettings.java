package dev.eventbank.projection.pipeline;

/**
 * Topic settings of the internal topics of a generation (the stores' changelogs and the totals' repartition topic),
 * whether Kafka Streams creates them or the rebuild's bulk load does.
 */
public final class InternalTopicSettings {

    /**
     * {@code segment.index.bytes} of every internal topic: 1 MiB, where the broker's default is 10 MiB.
     *
     * <p>Why: the broker creates each segment's offset and time index as a sparse file of this size and maps it into
     * memory; the first write into it faults, and the kernel's read-ahead around the fault fills the holes with zeros,
     * as much as the disk's read-ahead ({@code read_ahead_kb}, 8 MiB on the reference machine's disk). A rebuild
     * creates about 60 partitions at once (4 changelogs and a repartition topic of 12 partitions each): in a profile
     * of its bulk load on that machine 30 to 36 % of the broker's CPU was that zeroing, 5 % with 1 MiB indexes
     * (docs/read-side-performance.md, "2026-12-05: the broker zeroed the new topics' indexes"). 1 MiB holds 131,072
     * offset entries, one per 4 KiB of log ({@code index.interval.bytes}): a segment rolls after about 512 MiB of
     * records at the latest, which is all it costs.
     */
    public static final int SEGMENT_INDEX_BYTES = 1 << 20;

    private InternalTopicSettings() {
    }
}
