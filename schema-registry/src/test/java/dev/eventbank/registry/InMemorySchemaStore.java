package dev.eventbank.registry;

import java.util.ArrayList;
import java.util.List;

/** A store that applies writes at once and keeps them in a list: the registry's rules tested without Kafka. */
final class InMemorySchemaStore implements SchemaStore {

    private final RegistryState state;
    private final List<StoreRecord> written = new ArrayList<>();

    InMemorySchemaStore(RegistryState state) {
        this.state = state;
    }

    @Override
    public void write(List<StoreRecord> records) {
        written.addAll(records);
        records.forEach(state::apply);
    }

    @Override
    public void awaitReady() {
    }

    @Override
    public boolean isReady() {
        return true;
    }

    List<StoreRecord> written() {
        return written;
    }
}
