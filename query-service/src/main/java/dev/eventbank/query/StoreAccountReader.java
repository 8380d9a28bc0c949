package dev.eventbank.query;

import dev.eventbank.schemas.catalog.Stores;
import dev.eventbank.schemas.readmodel.AccountState;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Reads the {@code account-view-store} global store of a running Kafka Streams app. Keys are ordered by their
 * UTF-8 bytes, which for account ids (UUID strings) is account-id order.
 *
 * <p>Limits: a status or owner filter skips non-matching accounts while scanning, so a page of a rare status may read
 * many entries.
 */
final class StoreAccountReader implements AccountReader {

    private final KafkaStreams streams;

    StoreAccountReader(KafkaStreams streams) {
        this.streams = streams;
    }

    /** @throws ViewNotReadyException while the store cannot be read (restoring, or closing: its reads fail too) */
    @Override
    public AccountState find(String accountId) {
        ReadOnlyKeyValueStore<String, AccountState> store = store();
        try {
            return store.get(accountId);
        } catch (InvalidStateStoreException e) {
            throw new ViewNotReadyException("the account view is not ready: " + e.getMessage(), e);
        }
    }

    @Override
    public List<AccountState> scan(String after, Predicate<AccountState> filter, int max) {
        List<AccountState> page = new ArrayList<>(Math.min(max, 501));
        try (KeyValueIterator<String, AccountState> entries = after == null ? store().all() : store().range(after, null)) {
            while (entries.hasNext() && page.size() < max) {
                KeyValue<String, AccountState> entry = entries.next();
                if (entry.key.equals(after) || !filter.test(entry.value)) {
                    continue;
                }
                page.add(entry.value);
            }
        } catch (InvalidStateStoreException e) {
            throw new ViewNotReadyException("the account view is not ready: " + e.getMessage(), e);
        }
        return page;
    }

    private ReadOnlyKeyValueStore<String, AccountState> store() {
        try {
            return streams.store(StoreQueryParameters.fromNameAndType(Stores.ACCOUNT_VIEW,
                    QueryableStoreTypes.<String, AccountState>keyValueStore()));
        } catch (InvalidStateStoreException e) {
            throw new ViewNotReadyException("the account view is not ready (" + streams.state() + ")", e);
        }
    }
}
