package dev.eventbank.query;

import dev.eventbank.schemas.readmodel.AccountState;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;


/**
 * A customer's accounts, found without reading anyone else's: next to each account that has an {@code ownerId}, the
 * view store holds a copy of its state under {@code ~o:<length of ownerId>:<ownerId>:<accountId>}, so a customer's
 * listing is one range of that customer's entries instead of a scan of the bank filtered by owner.
 *
 * <p>Why in the view store and not a store of its own: a Kafka Streams global store has one source topic, and a
 * topic feeds one global store; the view's processor ({@link AccountViewTopology}) keeps both entries in step, and
 * Kafka Streams restores a global store by running that processor over the topic again, so the index is restored
 * with the accounts. The ordering: account ids (UUIDs in lower case) sort before {@code ~}, index entries after it, so
 * a range that ends at {@link #ACCOUNTS_END} holds accounts only. The length in the key keeps an owner id that
 * contains the separator from reaching into another owner's range.
 *
 * <p>Limits: every owned account is stored twice (the view's disk use doubles for them).
 */
final class OwnerIndex {

    /** The last key a range of account ids may reach: every account id sorts before it, every index entry after. */
    static final String ACCOUNTS_END = "~";

    private static final String PREFIX = "~o:";

    private OwnerIndex() {
    }

    /** The index key of {@code accountId} under {@code ownerId}. */
    static String key(String ownerId, String accountId) {
        return ownerPrefix(ownerId) + accountId;
    }

    /**
     * Keeps the index in step with a put of {@code now} over {@code before} (null: a new account): the entry under
     * the new owner holds the new state, and an entry under an earlier, different owner goes.
     */
    static void stored(KeyValueStore<String, AccountState> store, AccountState before, AccountState now) {
        if (before != null && before.getOwnerId() != null && !before.getOwnerId().equals(now.getOwnerId())) {
            store.delete(key(before.getOwnerId(), before.getAccountId()));
        }
        if (now.getOwnerId() != null) {
            store.put(key(now.getOwnerId(), now.getAccountId()), now);
        }
    }

    /** Keeps the index in step with the deletion of {@code before} (a tombstone). */
    static void deleted(KeyValueStore<String, AccountState> store, AccountState before) {
        if (before != null && before.getOwnerId() != null) {
            store.delete(key(before.getOwnerId(), before.getAccountId()));
        }
    }

    /**
     * Writes the entries the accounts of {@code store} should have and lacks, or holds stale: a store written before
     * this index existed gets it here once. Reads every account (Kafka Streams starts the view's processor twice at
     * each start, once to restore the store and once to run); the entries it writes sort after the accounts, past the
     * range it iterates, so it writes them as it goes rather than holding them.
     *
     * @return how many entries were written
     */
    static long repair(KeyValueStore<String, AccountState> store) {
        long written = 0;
        try (KeyValueIterator<String, AccountState> accounts = store.range(null, ACCOUNTS_END)) {
            while (accounts.hasNext()) {
                KeyValue<String, AccountState> account = accounts.next();
                if (account.value.getOwnerId() == null || ACCOUNTS_END.equals(account.key)) {
                    continue;
                }
                String indexKey = key(account.value.getOwnerId(), account.key);
                AccountState indexed = store.get(indexKey);
                if (indexed == null || indexed.getVersion() != account.value.getVersion()) {
                    store.put(indexKey, account.value);
                    written++;
                }
            }
        }
        return written;
    }

    /** The first key of {@code ownerId}'s entries. */
    static String ownerPrefix(String ownerId) {
        return PREFIX + ownerId.length() + ":" + ownerId + ":";
    }

    /** The last key {@code ownerId}'s entries may reach (account ids sort before {@code ~}). */
    static String ownerEnd(String ownerId) {
        return ownerPrefix(ownerId) + ACCOUNTS_END;
    }
}
