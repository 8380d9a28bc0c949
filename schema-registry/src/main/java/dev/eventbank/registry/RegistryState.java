package dev.eventbank.registry;

import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The registry's in-memory view of the {@code _schemas} topic: the fold of every {@link StoreRecord} read so far.
 * Only the store's reader thread changes it ({@link #apply}); request threads read it.
 *
 * <p>Every method is synchronized: the data is small (schemas, not events) and reads are rare next to the Kafka
 * traffic they describe, so one monitor is simpler than finer locking and cheap enough.
 *
 * <p>Limits: everything is held in memory; the highest id ever seen is remembered only since this process started,
 * so after a permanent delete has been compacted away a restarted registry could hand that id out again (Confluent's
 * single-primary id generator behaves the same way).
 */
@Singleton
public final class RegistryState {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryState.class);

    private final Map<String, TreeMap<Integer, SchemaVersion>> versionsBySubject = new TreeMap<>();
    private final Map<Integer, String> schemasById = new HashMap<>();
    private final Map<String, Integer> idsBySchema = new HashMap<>();
    private final Map<String, TreeMap<Integer, StoreRecord.ForeignVersion>> foreignBySubject = new HashMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
    private CompatibilityLevel globalLevel;
    private int maxId;

    /** Applies one record read from the topic (or, in tests, written to an in-memory store). */
    public synchronized void apply(StoreRecord record) {
        if (record instanceof StoreRecord.SchemaPut put) {
            SchemaVersion version = put.version();
            String holding = schemasById.get(version.id());
            if (holding != null && !holding.equals(version.schema())) {
                // one id, two schemas: the first one read wins, on every replay alike, as Confluent's store refuses
                // such a record; the registry checks its own writes against that (SchemaRegistry#register)
                LOG.warn("schema record ignored: its id holds another schema subject={} version={} id={}",
                        version.subject(), version.version(), version.id());
                return;
            }
            removeForeign(version.subject(), version.version());
            SchemaVersion replaced = versionsBySubject.computeIfAbsent(version.subject(), s -> new TreeMap<>())
                    .put(version.version(), version);
            forgetIdIfUnused(replaced);
            schemasById.put(version.id(), version.schema());
            // Confluent may hold one schema under several ids (imports); answer with the lowest, deterministically
            idsBySchema.merge(version.schema(), version.id(), Math::min);
            maxId = Math.max(maxId, version.id());
        } else if (record instanceof StoreRecord.ForeignVersion foreign) {
            removeVersion(foreign.subject(), foreign.version());
            foreignBySubject.computeIfAbsent(foreign.subject(), s -> new TreeMap<>()).put(foreign.version(), foreign);
            maxId = Math.max(maxId, foreign.id());
        } else if (record instanceof StoreRecord.SchemaRemoved removed) {
            removeVersion(removed.subject(), removed.version());
            removeForeign(removed.subject(), removed.version());
        } else if (record instanceof StoreRecord.SubjectDeleted deleted) {
            TreeMap<Integer, SchemaVersion> versions = versionsBySubject.get(deleted.subject());
            if (versions != null) {
                versions.headMap(deleted.upToVersion(), true).replaceAll((number, v) -> v.deleted() ? v : v.markDeleted());
            }
            TreeMap<Integer, StoreRecord.ForeignVersion> foreign = foreignBySubject.get(deleted.subject());
            if (foreign != null) {
                foreign.headMap(deleted.upToVersion(), true).replaceAll((number, v) -> v.markDeleted());
            }
        } else if (record instanceof StoreRecord.ConfigPut config) {
            if (config.subject() == null) {
                globalLevel = config.level();
            } else {
                subjectLevels.put(config.subject(), config.level());
            }
        } else if (record instanceof StoreRecord.ConfigRemoved config) {
            if (config.subject() == null) {
                globalLevel = null;
            } else {
                subjectLevels.remove(config.subject());
            }
        } else {
            throw new IllegalArgumentException("unknown store record " + record);
        }
    }

    private void removeVersion(String subject, int number) {
        TreeMap<Integer, SchemaVersion> versions = versionsBySubject.get(subject);
        SchemaVersion gone = versions == null ? null : versions.remove(number);
        if (versions != null && versions.isEmpty()) {
            versionsBySubject.remove(subject);
        }
        forgetIdIfUnused(gone);
    }

    private void forgetIdIfUnused(SchemaVersion gone) {
        if (gone != null && !isReferenced(gone.id())) {
            schemasById.remove(gone.id());
            if (idsBySchema.remove(gone.schema(), gone.id())) {
                // the same schema may still be held under another id (imports): that one answers now
                versionsBySubject.values().stream().flatMap(versions -> versions.values().stream())
                        .filter(v -> v.schema().equals(gone.schema()))
                        .mapToInt(SchemaVersion::id).min()
                        .ifPresent(id -> idsBySchema.put(gone.schema(), id));
            }
        }
    }

    private void removeForeign(String subject, int number) {
        TreeMap<Integer, StoreRecord.ForeignVersion> foreign = foreignBySubject.get(subject);
        if (foreign != null && foreign.remove(number) != null && foreign.isEmpty()) {
            foreignBySubject.remove(subject);
        }
    }

    /** The versions of a subject that are not soft-deleted, oldest first. */
    public synchronized List<SchemaVersion> liveVersions(String subject) {
        return allVersions(subject).stream().filter(v -> !v.deleted()).toList();
    }

    /** Every version of a subject still in the topic, soft-deleted ones included, oldest first. */
    public synchronized List<SchemaVersion> allVersions(String subject) {
        TreeMap<Integer, SchemaVersion> versions = versionsBySubject.get(subject);
        return versions == null ? List.of() : List.copyOf(versions.values());
    }

    /**
     * The subjects in name order that have versions (those this registry cannot serve included): with
     * {@code deletedOnly} those whose versions are all
     * soft-deleted, else with {@code includeDeleted} every one, else those with a version that is not (Confluent's
     * {@code GET /subjects?deleted=&deletedOnly=}).
     */
    public synchronized List<String> subjects(boolean includeDeleted, boolean deletedOnly) {
        java.util.TreeSet<String> names = new java.util.TreeSet<>(versionsBySubject.keySet());
        names.addAll(foreignBySubject.keySet());
        return names.stream()
                .filter(subject -> {
                    boolean anyLive = versionsBySubject.getOrDefault(subject, new TreeMap<>()).values().stream()
                            .anyMatch(v -> !v.deleted())
                            || foreignBySubject.getOrDefault(subject, new TreeMap<>()).values().stream()
                            .anyMatch(v -> !v.deleted());
                    return deletedOnly ? !anyLive : includeDeleted || anyLive;
                })
                .toList();
    }

    /** Every version of the subject this registry cannot serve, soft-deleted ones included, oldest first. */
    public synchronized List<StoreRecord.ForeignVersion> allForeignVersions(String subject) {
        TreeMap<Integer, StoreRecord.ForeignVersion> foreign = foreignBySubject.get(subject);
        return foreign == null ? List.of() : List.copyOf(foreign.values());
    }

    /** What the schema with this id is when it is one this registry cannot serve, e.g. "a PROTOBUF schema". */
    public synchronized Optional<String> foreignSchema(int id) {
        return foreignBySubject.values().stream().flatMap(versions -> versions.values().stream())
                .filter(v -> v.id() == id).map(StoreRecord.ForeignVersion::what).findFirst();
    }

    /**
     * The highest version number the subject ever had (0 if none), those this registry cannot serve included:
     * soft-deleted numbers are never reused.
     */
    public synchronized int maxVersion(String subject) {
        TreeMap<Integer, SchemaVersion> versions = versionsBySubject.get(subject);
        TreeMap<Integer, StoreRecord.ForeignVersion> foreign = foreignBySubject.get(subject);
        return Math.max(versions == null || versions.isEmpty() ? 0 : versions.lastKey(),
                foreign == null || foreign.isEmpty() ? 0 : foreign.lastKey());
    }

    public synchronized int maxId() {
        return maxId;
    }

    /** The global id of a schema in canonical form, if any subject ever registered it. */
    public synchronized Optional<Integer> idOf(String canonicalSchema) {
        return Optional.ofNullable(idsBySchema.get(canonicalSchema));
    }

    public synchronized Optional<String> schemaById(int id) {
        return Optional.ofNullable(schemasById.get(id));
    }

    /**
     * (subject, version) pairs using the schema with this id, in subject then version order, soft-deleted ones
     * only with {@code includeDeleted}.
     */
    public synchronized List<SchemaVersion> versionsWithId(int id, boolean includeDeleted) {
        List<SchemaVersion> result = new ArrayList<>();
        versionsBySubject.values().forEach(versions -> versions.values().stream()
                .filter(v -> v.id() == id && (includeDeleted || !v.deleted()))
                .forEach(result::add));
        return result;
    }

    public synchronized Optional<CompatibilityLevel> globalLevel() {
        return Optional.ofNullable(globalLevel);
    }

    public synchronized Optional<CompatibilityLevel> subjectLevel(String subject) {
        return Optional.ofNullable(subjectLevels.get(subject));
    }

    private boolean isReferenced(int id) {
        return versionsBySubject.values().stream().anyMatch(versions -> versions.values().stream()
                .anyMatch(v -> v.id() == id));
    }
}
