package dev.eventbank.schemas.serde;

import org.apache.avro.Schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A registry held in memory, for TopologyTestDriver tests where no registry runs. It assigns ids as a
 * registry does but checks no compatibility: tests that need the real rules use the registry service.
 */
public final class InMemorySchemaRegistryClient implements SchemaRegistryClient {

    private final List<Schema> schemas = new ArrayList<>();
    private final Map<String, Integer> idsBySubjectAndSchema = new ConcurrentHashMap<>();
    /** Subject -> its schema ids in registration order (a version is its position + 1). */
    private final Map<String, List<Integer>> versionsBySubject = new TreeMap<>();

    @Override
    public synchronized int register(String subject, Schema schema) {
        return idsBySubjectAndSchema.computeIfAbsent(subject + '\u0000' + schema, key -> {
            int existing = schemas.indexOf(schema);
            int id;
            if (existing >= 0) {
                id = existing + 1;
            } else {
                schemas.add(schema);
                id = schemas.size();
            }
            versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>()).add(id);
            return id;
        });
    }

    /** Nothing to do: this registry checks no compatibility. */
    @Override
    public void ensureSubjectCompatibility(String subject, String level) {
    }

    @Override
    public synchronized List<String> subjects() {
        return List.copyOf(versionsBySubject.keySet());
    }

    /** Forgets the subject; its schemas stay readable by id (ids are never reused here). */
    @Override
    public synchronized List<Integer> deleteSubject(String subject) {
        List<Integer> ids = versionsBySubject.remove(subject);
        if (ids == null) {
            return List.of();
        }
        idsBySubjectAndSchema.keySet().removeIf(key -> key.startsWith(subject + '\u0000'));
        List<Integer> versions = new ArrayList<>();
        for (int version = 1; version <= ids.size(); version++) {
            versions.add(version);
        }
        return versions;
    }

    @Override
    public synchronized Schema schemaById(int id) {
        if (id < 1 || id > schemas.size()) {
            throw new SchemaRegistryException("Schema " + id + " not found", 404, 40403);
        }
        return schemas.get(id - 1);
    }
}
