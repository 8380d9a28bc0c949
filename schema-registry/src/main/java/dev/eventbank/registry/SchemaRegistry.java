package dev.eventbank.registry;

import jakarta.inject.Singleton;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The registry's rules, over the {@link RegistryState} it reads and the {@link SchemaStore} it writes: what
 * Confluent's registry answers for registration, lookup, versions, compatibility settings and checks, with the
 * same error codes ({@link RegistryException}).
 *
 * <p>Identity of a schema is its Avro canonical JSON ({@code Schema.toString()} of the parsed schema), as in
 * Confluent: whitespace and key order do not matter, docs and defaults do. The same schema gets the same global
 * id in every subject.
 *
 * <p>Limits: Avro only, no schema references, no modes (READONLY/IMPORT), no contexts. Writes are serialized by
 * one lock in this process: ids and versions are max + 1 of what the state holds, which is only safe with a single
 * registry instance per topic.
 */
@Singleton
public final class SchemaRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistry.class);
    private static final int LATEST = -1;

    private final RegistryState state;
    private final SchemaStore store;
    private final CompatibilityLevel defaultLevel;
    // held from reading the state to the write being applied, so the next writer sees this one's id and version
    private final ReentrantLock writeLock = new ReentrantLock();

    public SchemaRegistry(RegistryState state, SchemaStore store, RegistryConfig config) {
        this.state = state;
        this.store = store;
        this.defaultLevel = config.defaultCompatibility();
    }

    /** Registers the schema under the subject, or returns its id if the subject already has it. */
    public int register(String subject, RegisterSchemaRequest request) {
        requireValidSubject(subject);
        Schema schema = parse(request);
        String canonical = schema.toString();
        writeLock.lock();
        try {
            store.awaitReady();
            List<SchemaVersion> live = state.liveVersions(subject);
            for (SchemaVersion version : live) {
                if (version.schema().equals(canonical)) {
                    return version.id();
                }
            }
            CompatibilityLevel level = effectiveLevel(subject);
            List<String> reasons = CompatibilityChecker.check(schema, live, level);
            if (!reasons.isEmpty()) {
                throw RegistryException.incompatible("Schema being registered is incompatible with an earlier schema "
                        + "for subject \"" + subject + "\", details: [" + String.join(", ", reasons) + "]");
            }
            int id = state.idOf(canonical).orElseGet(() -> state.maxId() + 1);
            int version = state.maxVersion(subject) + 1;
            store.write(List.of(new StoreRecord.SchemaPut(new SchemaVersion(subject, version, id, canonical, false))));
            LOG.info("registered schema subject={} version={} id={}", subject, version, id);
            return id;
        } finally {
            writeLock.unlock();
        }
    }

    /** The live version of the subject holding this schema: {@code POST /subjects/{s}}. */
    public SchemaVersion lookup(String subject, RegisterSchemaRequest request) {
        store.awaitReady();
        List<SchemaVersion> live = state.liveVersions(subject);
        if (live.isEmpty()) {
            throw RegistryException.subjectNotFound(subject);
        }
        String canonical = parse(request).toString();
        return live.stream()
                .filter(version -> version.schema().equals(canonical))
                .findFirst()
                .orElseThrow(RegistryException::schemaNotFound);
    }

    public String schemaById(int id) {
        store.awaitReady();
        return state.schemaById(id).orElseThrow(() -> RegistryException.schemaNotFound(id));
    }

    /** The live subject versions that use the schema with this id. */
    public List<SchemaVersion> versionsById(int id) {
        store.awaitReady();
        if (state.schemaById(id).isEmpty()) {
            throw RegistryException.schemaNotFound(id);
        }
        return state.liveVersionsWithId(id);
    }

    public List<String> subjects() {
        store.awaitReady();
        return state.subjects();
    }

    public List<Integer> versions(String subject) {
        store.awaitReady();
        List<SchemaVersion> live = state.liveVersions(subject);
        if (live.isEmpty()) {
            throw RegistryException.subjectNotFound(subject);
        }
        return live.stream().map(SchemaVersion::version).toList();
    }

    /** A version by number or {@code latest}. */
    public SchemaVersion version(String subject, String version) {
        int number = parseVersion(version);
        store.awaitReady();
        List<SchemaVersion> live = state.liveVersions(subject);
        if (live.isEmpty()) {
            throw RegistryException.subjectNotFound(subject);
        }
        return find(live, number);
    }

    public CompatibilityLevel globalCompatibility() {
        store.awaitReady();
        return state.globalLevel().orElse(defaultLevel);
    }

    public CompatibilityLevel setGlobalCompatibility(String level) {
        CompatibilityLevel parsed = CompatibilityLevel.parse(level);
        write(new StoreRecord.ConfigPut(null, parsed));
        LOG.info("global compatibility set to {}", parsed);
        return parsed;
    }

    /** The subject's own level; with {@code defaultToGlobal} the global one if it has none, else 40408. */
    public CompatibilityLevel subjectCompatibility(String subject, boolean defaultToGlobal) {
        store.awaitReady();
        return state.subjectLevel(subject)
                .or(() -> defaultToGlobal ? state.globalLevel().or(() -> Optional.of(defaultLevel))
                        : Optional.<CompatibilityLevel>empty())
                .orElseThrow(() -> RegistryException.subjectCompatibilityNotConfigured(subject));
    }

    public CompatibilityLevel setSubjectCompatibility(String subject, String level) {
        requireValidSubject(subject);
        CompatibilityLevel parsed = CompatibilityLevel.parse(level);
        write(new StoreRecord.ConfigPut(subject, parsed));
        LOG.info("compatibility of subject={} set to {}", subject, parsed);
        return parsed;
    }

    /** Removes the subject's own level, so it follows the global one again; returns the removed level. */
    public CompatibilityLevel deleteSubjectCompatibility(String subject) {
        writeLock.lock();
        try {
            store.awaitReady();
            CompatibilityLevel current = state.subjectLevel(subject)
                    .orElseThrow(() -> RegistryException.subjectCompatibilityNotConfigured(subject));
            store.write(List.of(new StoreRecord.ConfigRemoved(subject)));
            LOG.info("compatibility of subject={} removed (was {})", subject, current);
            return current;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Whether the schema could be registered after the given version ({@code latest} or null: against what
     * registration would check, by the subject's level). A latest check on a subject without versions passes.
     *
     * @return the reasons it is incompatible; empty when it is compatible
     */
    public List<String> testCompatibility(String subject, String version, RegisterSchemaRequest request) {
        int number = version == null ? LATEST : parseVersion(version);
        Schema schema = parse(request);
        store.awaitReady();
        List<SchemaVersion> live = state.liveVersions(subject);
        CompatibilityLevel level = effectiveLevel(subject);
        if (number == LATEST) {
            return CompatibilityChecker.check(schema, live, level);
        }
        if (live.isEmpty()) {
            throw RegistryException.subjectNotFound(subject);
        }
        return CompatibilityChecker.check(schema, List.of(find(live, number)), level);
    }

    /**
     * Soft-deletes every live version of the subject (they stay readable by id), or with {@code permanent}
     * removes the versions an earlier soft delete left, as tombstones. Returns the version numbers.
     */
    public List<Integer> deleteSubject(String subject, boolean permanent) {
        writeLock.lock();
        try {
            store.awaitReady();
            List<SchemaVersion> all = state.allVersions(subject);
            List<SchemaVersion> live = all.stream().filter(v -> !v.deleted()).toList();
            if (all.isEmpty()) {
                throw RegistryException.subjectNotFound(subject);
            }
            if (permanent) {
                if (!live.isEmpty()) {
                    throw RegistryException.subjectNotSoftDeleted(subject);
                }
                store.write(all.stream()
                        .<StoreRecord>map(v -> new StoreRecord.SchemaRemoved(subject, v.version()))
                        .toList());
                LOG.info("permanently deleted subject={} versions={}", subject, versionNumbers(all));
                return versionNumbers(all);
            }
            if (live.isEmpty()) {
                throw RegistryException.subjectSoftDeleted(subject);
            }
            store.write(live.stream().<StoreRecord>map(v -> new StoreRecord.SchemaPut(v.markDeleted())).toList());
            LOG.info("soft-deleted subject={} versions={}", subject, versionNumbers(live));
            return versionNumbers(live);
        } finally {
            writeLock.unlock();
        }
    }

    private void write(StoreRecord record) {
        writeLock.lock();
        try {
            store.write(List.of(record));
        } finally {
            writeLock.unlock();
        }
    }

    private CompatibilityLevel effectiveLevel(String subject) {
        return state.subjectLevel(subject).or(state::globalLevel).orElse(defaultLevel);
    }

    private static SchemaVersion find(List<SchemaVersion> live, int number) {
        if (number == LATEST) {
            return live.get(live.size() - 1);
        }
        return live.stream()
                .filter(v -> v.version() == number)
                .findFirst()
                .orElseThrow(() -> RegistryException.versionNotFound(number));
    }

    private static List<Integer> versionNumbers(List<SchemaVersion> versions) {
        return versions.stream().map(SchemaVersion::version).toList();
    }

    /**
     * Refuses, as Confluent does (42208), a subject name a write would store with a control character in it; reads
     * of such a name just find nothing.
     */
    static void requireValidSubject(String subject) {
        if (subject == null || subject.chars().anyMatch(Character::isISOControl)) {
            throw RegistryException.invalidSubject(subject);
        }
    }

    /**
     * A query flag: absent is {@code absent}, {@code true}/{@code false} in any case are themselves, anything else is a
     * 400. JAX-RS (and so Confluent's registry) reads anything but {@code true} as false, so a typo in
     * {@code permanent=true} would soft-delete instead of being refused.
     */
    static boolean flag(String name, String value, boolean absent) {
        if (value == null) {
            return absent;
        }
        if ("true".equalsIgnoreCase(value)) {
            return true;
        }
        if ("false".equalsIgnoreCase(value)) {
            return false;
        }
        throw RegistryException.invalidFlag(name, value);
    }

    /** {@code latest}, -1 (Confluent's alias for latest) or 1..2^31-1; anything else is a 42202. */
    static int parseVersion(String version) {
        if ("latest".equalsIgnoreCase(version)) {
            return LATEST;
        }
        try {
            int number = Integer.parseInt(version);
            if (number == LATEST || number >= 1) {
                return number;
            }
        } catch (NumberFormatException e) {
            // falls through to the 42202 below: not a number at all
        }
        throw RegistryException.invalidVersion(version);
    }

    /** Parses an Avro schema; anything else (other types, references, invalid Avro) is a 42201. */
    static Schema parse(RegisterSchemaRequest request) {
        if (request == null || request.schema() == null || request.schema().isBlank()) {
            throw new RegistryException(422, 42201, "Invalid schema: empty schema");
        }
        if (request.schemaType() != null && !"AVRO".equalsIgnoreCase(request.schemaType())) {
            throw new RegistryException(422, 42201, "Invalid schema type " + request.schemaType()
                    + ": this registry supports AVRO only");
        }
        if (request.references() != null && !request.references().isEmpty()) {
            throw new RegistryException(422, 42201, "Invalid schema: schema references are not supported by this "
                    + "registry");
        }
        try {
            return new Schema.Parser().parse(request.schema());
        } catch (RuntimeException e) {
            // SchemaParseException, AvroTypeException for bad defaults, ...: all are the client's schema
            String message = ErrorHandling.withoutJacksonSource(e.getMessage());
            if (message.contains("UnresolvedSchema")) {
                // Avro names a placeholder here; say what it means
                message = "it uses a type name that is neither a primitive type nor defined in the schema";
            }
            throw RegistryException.invalidSchema(message);
        }
    }
}
