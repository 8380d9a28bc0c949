package dev.eventbank.command.ownership;

import dev.eventbank.command.writer.PartitionState;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The states of partitions that moved away: kept for a return within {@link PartitionOwnership#RETAINED_FOR}, then
 * forgotten (they were kept for ever, every partition an instance once owned).
 */
class PartitionOwnershipRetainedTest {

    private static final long MINUTE = Duration.ofMinutes(1).toNanos();

    private final PartitionOwnership ownership = new PartitionOwnership("writers", Duration.ofSeconds(6), 12, null);

    @Test
    void shouldHandAKeptStateToAWriterOfThePartitionWithinTheRetentionOnce() {
        PartitionState state = new PartitionState(3);
        ownership.retain(3, state, 0);

        assertSame(state, ownership.takeRetained(3, PartitionOwnership.RETAINED_FOR.toNanos()));
        assertNull(ownership.takeRetained(3, PartitionOwnership.RETAINED_FOR.toNanos()), "taken once");
    }

    @Test
    void shouldNotHandOnAStateKeptLongerThanTheRetention() {
        ownership.retain(3, new PartitionState(3), 0);

        assertNull(ownership.takeRetained(3, PartitionOwnership.RETAINED_FOR.toNanos() + 1));
    }

    @Test
    void shouldForgetStatesKeptLongerThanTheRetentionAndKeepTheYoungerOnes() {
        PartitionState young = new PartitionState(4);
        ownership.retain(3, new PartitionState(3), 0);
        ownership.retain(4, young, 5 * MINUTE);

        // when
        ownership.forgetRetained(PartitionOwnership.RETAINED_FOR.toNanos() + MINUTE);

        // then: forgotten even if never asked for again, which is the memory it held
        assertNull(ownership.takeRetained(3, 0));
        assertSame(young, ownership.takeRetained(4, PartitionOwnership.RETAINED_FOR.toNanos() + MINUTE));
    }
}
