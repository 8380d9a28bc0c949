package dev.eventbank.command.writer;

import dev.eventbank.schemas.commands.AccountAggregate;
import dev.eventbank.schemas.commands.AccountNumberReservation;
import dev.eventbank.schemas.commands.RecentCommand;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The committed write model of one partition, held in memory by its owner: the aggregate of every account in
 * the partition, the outcomes of the commands sent with an {@code Idempotency-Key} within the idempotency
 * window, the reservations of the account numbers that hash to the partition ({@link AccountNumbers}), and how far
 * the topics they come from have been read. Only the owner's writer thread touches it.
 *
 * <p>Kept when the partition moves away, so that if it comes back to this instance only what was written since
 * is read again ({@link PartitionRestore} resumes from {@link #aggregatesPosition} and
 * {@link #outcomesPosition}, {@link #reservationsPosition}). Writes are "latest per key", so reading some of them again changes nothing.
 *
 * <p>Limits: everything is in memory: about 300 bytes per account and per recorded outcome, so a partition
 * that takes 100 keyed commands a second holds about 8.6 million outcomes (2.6 GB) over a 24 h window; a
 * reservation takes about 200 bytes per account number.
 *
 * <p>Why the outcomes have no cap per caller or per account: a cap that drops a caller's oldest outcomes breaks the
 * idempotency promise (a retry within the window answers the first outcome: the dropped command would be decided
 * again), and one that refuses a caller's new keyed commands would need a count per caller that survives restarts and
 * partition moves, while the outcomes topic does not record callers, and a caller's commands spread over every
 * partition and instance (no writer sees them all). Each outcome costs its caller a command that was decided (a
 * rejection included), so the memory grows with the rate of keyed commands, which the queue bound
 * ({@link WriterSettings#maxQueued()}) and the commit rate limit per partition; a limit per caller belongs at the
 * edge (a gateway's rate limit per token), in front of every instance.
 */
public final class PartitionState {

    final int partition;
    final Map<String, AccountAggregate> aggregates = new HashMap<>();
    final Map<String, RecentCommand> outcomes = new HashMap<>();
    /**
     * Accounts whose aggregate changed since it was last written to {@code bank-account-aggregates}. The next
     * write of aggregates writes all of them, since its checkpoint header says the topic covers every event
     * before it. Kept with the state (not the writer) so that a later writer of this instance writes them too.
     */
    final Set<String> unwritten = new HashSet<>();
    /** By {@link AccountNumbers#key}, plus the {@code Topics.NUMBERS_IMPORTED_KEY} marker once imported. */
    final Map<String, AccountNumberReservation> reservations = new HashMap<>();
    /** Next offset of the partition's event log not known to be folded into {@link #aggregates}. */
    long eventsCheckpoint;
    /** Next offset of {@code bank-account-aggregates} to read on a restore. */
    long aggregatesPosition;
    /** Next offset of {@code bank-account-command-outcomes} to read on a restore. */
    long outcomesPosition;
    /** Next offset of {@code bank-account-number-reservations} to read on a restore. */
    long reservationsPosition;

    /** The state of a partition this instance has not read yet. */
    public PartitionState(int partition) {
        this.partition = partition;
    }

    /** Drops the outcomes recorded before {@code now - window}; returns how many. */
    int expireOutcomes(Instant now, Duration window) {
        int before = outcomes.size();
        outcomes.values().removeIf(outcome -> CommandHandler.expired(outcome, now, window));
        return before - outcomes.size();
    }
}
