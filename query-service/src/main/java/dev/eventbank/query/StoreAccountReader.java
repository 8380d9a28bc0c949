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
 * <p>Limits: a status or owner-name filter skips non-matching accounts while scanning, so a teller's page of a rare
 * status may read many entries; a customer's page reads only that customer's ({@link OwnerIndex}).
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
    public List<AccountState> scan(String after, String ownerId, Predicate<AccountState> filter, int max) {
        List<AccountState> page = new ArrayList<>(Math.min(max, 501));
        // the accounts (keys before OwnerIndex.ACCOUNTS_END), or one owner's entries of the index
        String from = ownerId == null ? after : OwnerIndex.ownerPrefix(ownerId) + (after == null ? "" : after);
        String to = ownerId == null ? OwnerIndex.ACCOUNTS_END : OwnerIndex.ownerEnd(ownerId);
        String skip = ownerId == null || after == null ? after : OwnerIndex.key(ownerId, after);
        try (KeyValueIterator<String, AccountState> entries = store().range(from, to)) {
            while (entries.hasNext() && page.size() < max) {
                KeyValue<String, AccountState> entry = entries.next();
                if (entry.key.equals(skip) || entry.key.equals(OwnerIndex.ACCOUNTS_END) || !filter.test(entry.value)) {
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
