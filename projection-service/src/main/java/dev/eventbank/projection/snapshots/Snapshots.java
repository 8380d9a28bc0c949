package dev.eventbank.projection.snapshots;

import dev.eventbank.schemas.readmodel.AccountStateView;
import dev.eventbank.schemas.readmodel.AccountSnapshot;
import dev.eventbank.schemas.readmodel.AccountState;

import java.time.Duration;
import java.time.Instant;

/**
 * The snapshot read model's evolve function ({@link #evolve}: whether an applied event's new state is snapshotted,
 * and the snapshot), the conversions between {@link AccountState} and {@link AccountSnapshot}, and which snapshots can
 * be trusted. Pure: no Kafka, no framework, no clock (the policy uses event time).
 *
 * <p>{@link #SCHEMA_VERSION} is the version of the snapshot's <em>meaning</em> (what {@link AccountStateView#evolve}
 * folds into it); bump it when the fold changes so that older snapshots are ignored and state is refolded from
 * the log. A snapshot with any other schema version is not trusted: {@link #toState} returns null.
 */
public final class Snapshots {

    /**
     * The only snapshot meaning this code understands. 2: the state carries {@code email} and {@code accountType};
     * a version 1 snapshot lacks them, so time travel folds from an older usable snapshot or from the log instead.
     */
    public static final int SCHEMA_VERSION = 2;

    /** Who produced a snapshot: module and code version (from the jar manifest when packaged). */
    public static final String PRODUCED_BY = "projection-service/" + codeVersion();

    private Snapshots() {
    }

    /**
     * When to snapshot an account: every {@code everyEvents} versions (0 = not by count) or, on an event that comes
     * {@code everyActivity} or more (event time, {@code occurredAt}) after the account's last snapshot (or its
     * opening), whichever comes first (zero = not by time). Event time, not wall-clock time, so replaying the log
     * takes the same snapshots.
     */
    public record Policy(int everyEvents, Duration everyActivity) {

        public static Policy everyEvents(int everyEvents) {
            return new Policy(everyEvents, Duration.ZERO);
        }

        /** Whether the policy needs the time of the account's last snapshot (a store lookup per event). */
        public boolean byTime() {
            return !everyActivity.isZero() && !everyActivity.isNegative();
        }

        /** @param lastSnapshotAt {@code updatedAt} of the account's latest snapshot, null if none */
        public boolean due(AccountState state, Instant lastSnapshotAt) {
            if (everyEvents > 0 && state.getVersion() % everyEvents == 0) {
                return true;
            }
            Instant since = lastSnapshotAt != null ? lastSnapshotAt : state.getOpenedAt();
            return byTime() && Duration.between(since, state.getUpdatedAt()).compareTo(everyActivity) >= 0;
        }
    }

    /**
     * Folds one applied event into the account's snapshots: the new snapshot of {@code after} (the state right after
     * the event, read at {@code logPartition}/{@code logOffset} of the log) when {@code policy} says one is due, else
     * null (the account's snapshots stay as they are).
     *
     * @param lastSnapshotAt {@code updatedAt} of the account's latest snapshot, null if none (or if the policy does
     *                       not snapshot by time, {@link Policy#byTime()}, and so needs no lookup)
     */
    public static AccountSnapshot evolve(Policy policy, AccountState after, Instant lastSnapshotAt, int logPartition,
                                         long logOffset) {
        return policy.due(after, lastSnapshotAt) ? of(after, logPartition, logOffset) : null;
    }

    /** The snapshot of {@code state}, covering the event at {@code logPartition}/{@code logOffset} of the log. */
    public static AccountSnapshot of(AccountState state, int logPartition, long logOffset) {
        return AccountSnapshot.newBuilder()
                .setAccountId(state.getAccountId())
                .setAccountNumber(state.getAccountNumber())
                .setOwner(state.getOwner())
                .setCurrency(state.getCurrency())
                .setBalance(state.getBalance())
                .setStatus(state.getStatus())
                .setVersion(state.getVersion())
                .setOpenedAt(state.getOpenedAt())
                .setUpdatedAt(state.getUpdatedAt())
                .setLogPartition(logPartition)
                .setLogOffset(logOffset)
                .setSchemaVersion(SCHEMA_VERSION)
                .setProducedBy(PRODUCED_BY)
                .setEmail(state.getEmail())
                .setAccountType(state.getAccountType())
                .build();
    }

    /** The state the snapshot holds, or null when its schema version is unknown (then fold from the log). */
    public static AccountState toState(AccountSnapshot snapshot) {
        if (snapshot == null || snapshot.getSchemaVersion() != SCHEMA_VERSION) {
            return null;
        }
        return AccountState.newBuilder()
                .setAccountId(snapshot.getAccountId())
                .setAccountNumber(snapshot.getAccountNumber())
                .setOwner(snapshot.getOwner())
                .setCurrency(snapshot.getCurrency())
                .setBalance(snapshot.getBalance())
                .setStatus(snapshot.getStatus())
                .setVersion(snapshot.getVersion())
                .setOpenedAt(snapshot.getOpenedAt())
                .setUpdatedAt(snapshot.getUpdatedAt())
                .setEmail(snapshot.getEmail())
                .setAccountType(snapshot.getAccountType())
                .build();
    }

    private static String codeVersion() {
        String version = Snapshots.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
