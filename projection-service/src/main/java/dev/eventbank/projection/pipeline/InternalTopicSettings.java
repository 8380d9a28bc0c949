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
     * of its bulk load on that machine 30 to 36 % of the broker's samples were that zeroing, 5 % with the changelogs'
     * indexes at 1 MiB (docs/read-side-performance.md, "2026-12-05: the broker zeroed the new topics' indexes"). The
     * cost: a segment also rolls when an index is full, and 1 MiB holds 87,381 time-index entries, at most one per
     * 4 KiB of records ({@code index.interval.bytes}), so a segment of these topics may roll from about 341 MiB of
     * records on, before {@code segment.bytes}.
     */
    public static final int SEGMENT_INDEX_BYTES = 1 << 20;

    private InternalTopicSettings() {
    }
}
