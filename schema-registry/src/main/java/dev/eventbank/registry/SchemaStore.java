package dev.eventbank.registry;

import java.util.List;

/**
 * Where the registry persists its changes. An implementation applies every record it holds, in order, to the
 * {@link RegistryState}, its own writes included: {@link #write} returns only once they are applied, so the next
 * request sees them.
 */
public interface SchemaStore {

    /**
     * Persists the records and returns once the state has applied them.
     *
     * @throws RegistryException 50001 if the store failed, 50002 if it did not answer in time
     */
    void write(List<StoreRecord> records);

    /**
     * Returns once the state reflects everything the store held when it started.
     *
     * @throws RegistryException 50002 if it has not caught up in time, 50001 if it failed
     */
    void awaitReady();

    /**
     * Returns once the state has applied everything the store holds now, not only what it held at start: every earlier
     * write that landed, one whose caller was answered with a timeout included. What a writer calls, under the
     * registry's write lock, before it assigns ids and versions as max + 1, so that none is assigned twice (Confluent's
     * registry waits for its reader to reach the last offset the same way).
     *
     * @throws RegistryException 50002 if it has not caught up in time, 50001 if it failed
     */
    default void awaitLatest() {
        awaitReady();
    }

    /** True while the state is caught up and the store is working: what {@code /health} reports. */
    boolean isReady();
}
