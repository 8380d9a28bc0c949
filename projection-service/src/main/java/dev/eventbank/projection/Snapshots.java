package dev.eventbank.projection;

import dev.eventbank.schemas.readmodel.AccountSnapshot;
import dev.eventbank.schemas.readmodel.AccountState;

/**
 * Converts between {@link AccountState} and {@link AccountSnapshot}, and says which snapshots can be trusted.
 *
 * <p>{@link #SCHEMA_VERSION} is the version of the snapshot's <em>meaning</em> (what {@link AccountStateView#evolve}
 * folds into it); bump it when the fold changes so that older snapshots are ignored and state is refolded from
 * the log. A snapshot with any other schema version is not trusted: {@link #toState} returns null.
 */
public final class Snapshots {

    /** The only snapshot meaning this code understands. */
    public static final int SCHEMA_VERSION = 1;

    /** Who produced a snapshot: module and code version (from the jar manifest when packaged). */
    public static final String PRODUCED_BY = "projection-service/" + codeVersion();

    private Snapshots() {
    }

    /** True when {@code state}'s version is a multiple of {@code every} (every N events of the account). */
    public static boolean due(AccountState state, int every) {
        return every > 0 && state.getVersion() % every == 0;
    }

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
                .build();
    }

    private static String codeVersion() {
        String version = Snapshots.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
