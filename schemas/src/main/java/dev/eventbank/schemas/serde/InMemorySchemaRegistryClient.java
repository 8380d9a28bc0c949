package dev.eventbank.schemas.serde;

import org.apache.avro.Schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A registry held in memory, for TopologyTestDriver tests where no registry runs. It assigns ids as a
 * registry does but checks no compatibility: tests that need the real rules use the registry service.
 */
public final class InMemorySchemaRegistryClient implements SchemaRegistryClient {

    private final List<Schema> schemas = new ArrayList<>();
    private final Map<String, Integer> idsBySubjectAndSchema = new ConcurrentHashMap<>();

    @Override
    public synchronized int register(String subject, Schema schema) {
        return idsBySubjectAndSchema.computeIfAbsent(subject + '\u0000' + schema, key -> {
            int existing = schemas.indexOf(schema);
            if (existing >= 0) {
                return existing + 1;
            }
            schemas.add(schema);
            return schemas.size();
        });
    }

    /** Nothing to do: this registry checks no compatibility. */
    @Override
    public void ensureSubjectCompatibility(String subject, String level) {
    }

    @Override
    public synchronized Schema schemaById(int id) {
        if (id < 1 || id > schemas.size()) {
            throw new SchemaRegistryException("Schema " + id + " not found", 404, 40403);
        }
        return schemas.get(id - 1);
    }
}
