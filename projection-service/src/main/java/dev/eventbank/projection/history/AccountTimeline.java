package dev.eventbank.projection.history;

import dev.eventbank.projection.snapshots.Snapshots;
import dev.eventbank.schemas.readmodel.AccountStateView;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.readmodel.AccountSnapshot;
import dev.eventbank.schemas.readmodel.AccountState;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * One account's past, read from the projection's stores: its history in version order ({@link #events}) and
 * its state as of a version or an instant ({@link #asOfVersion}, {@link #asOf}). Time travel starts from the
 * nearest <em>usable</em> snapshot at or before the point (one whose schema version this code knows, see
 * {@link Snapshots}) and folds the later events with the one fold, {@link AccountStateView#evolve}.
 *
 * <p>Limits: it reads the stores of <em>this</em> instance (the caller routes to the owner of the account's
 * partition); {@link #asOf} assumes {@code occurredAt} never decreases along an account's versions (the command
 * processor stamps them in order); a point older than every snapshot folds from version 1.
 */
public final class AccountTimeline {

    private final Supplier<ReadOnlyKeyValueStore<String, AccountState>> states;
    private final Supplier<ReadOnlyKeyValueStore<String, byte[]>> history;
    private final Supplier<ReadOnlyKeyValueStore<String, AccountSnapshot>> snapshots;
    private final Deserializer<BankAccountEvent> deserializer;

    public AccountTimeline(Supplier<ReadOnlyKeyValueStore<String, AccountState>> states,
                           Supplier<ReadOnlyKeyValueStore<String, byte[]>> history,
                           Supplier<ReadOnlyKeyValueStore<String, AccountSnapshot>> snapshots,
                           Deserializer<BankAccountEvent> deserializer) {
        this.states = states;
        this.history = history;
        this.snapshots = snapshots;
        this.deserializer = deserializer;
    }

    /** One page of history; {@code next} is the {@code fromVersion} of the following page, null on the last. */
    public record Page(List<BankAccountEvent> items, Long next) {
    }

    /** A page of history as the log holds it (each event's wire bytes, not decoded); {@code next} as in {@link Page}. */
    public record RawPage(List<byte[]> events, Long next) {
    }

    /** What a time-travel read found. */
    public sealed interface AsOf {

        record Found(AccountState state, long snapshotVersion) implements AsOf {
        }

        /** The account has no state at that point: one of the three records below. */
        sealed interface NotFound extends AsOf {
        }

        /** No such account (now). */
        record UnknownAccount() implements NotFound {
        }

        /** The instant is before the account was opened, at {@code openedAt}. */
        record BeforeOpening(Instant openedAt) implements NotFound {
        }

        /** The history holds no event up to that point (only for an account whose history does not start at 1). */
        record NotAtThatPoint() implements NotFound {
        }

        /** The asked version is after the account's current one. */
        record BeyondCurrent(long currentVersion) implements AsOf {
        }
    }

    /** The account's events from {@code fromVersion}, at most {@code limit}, decoded; null when the account is unknown. */
    public Page events(String accountId, long fromVersion, int limit) {
        RawPage raw = eventBytes(accountId, fromVersion, limit);
        return raw == null ? null : new Page(raw.events().stream().map(this::decode).toList(), raw.next());
    }

    /**
     * The account's events from {@code fromVersion}, at most {@code limit}, as the log holds them (nothing is
     * decoded: the version of the next page comes from the store key); null when the account is unknown.
     */
    public RawPage eventBytes(String accountId, long fromVersion, int limit) {
        if (states.get().get(accountId) == null) {
            return null;
        }
        List<byte[]> items = new ArrayList<>(Math.min(limit, 1000));
        Long next = null;
        try (KeyValueIterator<String, byte[]> entries = history.get()
                .range(HistoryKeys.key(accountId, Math.max(fromVersion, 0)), HistoryKeys.last(accountId))) {
            while (entries.hasNext()) {
                KeyValue<String, byte[]> entry = entries.next();
                if (items.size() == limit) {
                    next = HistoryKeys.version(entry.key);
                    break;
                }
                items.add(entry.value);
            }
        }
        return new RawPage(items, next);
    }

    /**
     * The state right after {@code version} was applied.
     *
     * @param version 1 or more (version 1 is the opening; there is no state before it)
     * @throws IllegalArgumentException for a version below 1 (the HTTP caller refuses it first, as a 400)
     */
    public AsOf asOfVersion(String accountId, long version) {
        if (version < 1) {
            // not a Found with a null state, nor a store key that does not sort
            throw new IllegalArgumentException("version must be >= 1, was " + version);
        }
        AccountState current = states.get().get(accountId);
        if (current == null) {
            return new AsOf.UnknownAccount();
        }
        if (version > current.getVersion()) {
            return new AsOf.BeyondCurrent(current.getVersion());
        }
        if (version == current.getVersion()) {
            return new AsOf.Found(current, current.getVersion());
        }
        return fold(current, version, snapshot -> snapshot.getVersion() <= version, event -> event.getVersion() <= version);
    }

    /** The state after the last event that occurred at or before {@code instant}. */
    public AsOf asOf(String accountId, Instant instant) {
        AccountState current = states.get().get(accountId);
        if (current == null) {
            return new AsOf.UnknownAccount();
        }
        if (instant.isBefore(current.getOpenedAt())) {
            return new AsOf.BeforeOpening(current.getOpenedAt());
        }
        if (!instant.isBefore(current.getUpdatedAt())) {
            return new AsOf.Found(current, current.getVersion());
        }
        return fold(current, current.getVersion(), snapshot -> !snapshot.getUpdatedAt().isAfter(instant),
                event -> !event.getOccurredAt().isAfter(instant));
    }

    /**
     * From the latest usable snapshot up to {@code maxVersion} that {@code usable} accepts, fold while {@code take}.
     * The owner ({@code ownerId}) is the current state's: it is set once by {@code AccountOpened} and never changes,
     * and snapshots do not carry it (AccountSnapshot has no such field), so a state folded from one would lose it.
     */
    private AsOf fold(AccountState current, long maxVersion, Predicate<AccountSnapshot> usable, Predicate<BankAccountEvent> take) {
        String accountId = current.getAccountId();
        AccountState state = null;
        try (KeyValueIterator<String, AccountSnapshot> candidates = snapshots.get()
                .reverseRange(HistoryKeys.first(accountId), HistoryKeys.key(accountId, maxVersion))) {
            while (state == null && candidates.hasNext()) {
                AccountSnapshot snapshot = candidates.next().value;
                if (usable.test(snapshot)) {
                    state = Snapshots.toState(snapshot); // null when its schema version is unknown: look further back
                }
            }
        }
        long snapshotVersion = state == null ? 0 : state.getVersion();
        if (snapshotVersion >= maxVersion) {
            return new AsOf.Found(withOwner(state, current), snapshotVersion);
        }
        try (KeyValueIterator<String, byte[]> entries = history.get()
                .range(HistoryKeys.key(accountId, snapshotVersion + 1), HistoryKeys.key(accountId, maxVersion))) {
            while (entries.hasNext()) {
                KeyValue<String, byte[]> entry = entries.next();
                BankAccountEvent event = decode(entry.value);
                if (!take.test(event)) {
                    break;
                }
                AccountStateView.Fold fold = AccountStateView.evolve(state, event);
                if (!(fold instanceof AccountStateView.Fold.Applied applied)) {
                    // the history holds only events the projection applied, in order: this is a bug, not input
                    throw new IllegalStateException("history of " + accountId + " does not fold at " + entry.key + ": " + fold);
                }
                state = applied.state();
            }
        }
        if (state == null) {
            return new AsOf.NotAtThatPoint();
        }
        return new AsOf.Found(withOwner(state, current), snapshotVersion);
    }

    private static AccountState withOwner(AccountState state, AccountState current) {
        return state.getOwnerId() != null || current.getOwnerId() == null ? state
                : AccountState.newBuilder(state).setOwnerId(current.getOwnerId()).build();
    }

    private BankAccountEvent decode(byte[] value) {
        return deserializer.deserialize(Topics.EVENTS.name(), value);
    }
}
