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
 * <p>Limits: Avro only, no schema references, no modes (READONLY/IMPORT), no contexts. Versions of other types
 * (or with references) that Confluent's registry wrote to a shared topic are not served, but keep their ids and
 * version numbers, and a subject holding one takes no Avro version. Writes are serialized by one lock in this
 * process: ids and versions are max + 1 of what the state holds, which is only safe with a single registry
 * instance per topic.
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

    /**
     * Registers the schema under the subject, or returns its id if the subject already has it.
     *
     * @throws RegistryException 42208 for an invalid subject, 42205 for a request naming an id (Confluent takes one
     *     in IMPORT mode only, which this registry has not), 42201 for an invalid schema or a version that is not
     *     the next one, 409 when incompatible
     */
    public int register(String subject, RegisterSchemaRequest request) {
        requireValidSubject(subject);
        if (request != null && request.id() != null && request.id() >= 0) {
            throw new RegistryException(422, 42205, "Subject " + subject + " is not in import mode: this registry "
                    + "assigns ids itself (it has no IMPORT mode); leave id out");
        }
        Schema schema = parse(request);
        String canonical = schema.toString();
        writeLock.lock();
        try {
            store.awaitLatest();
            // Confluent answers the existing version only when the request names none: a named version must be next
            boolean versionNamed = request.version() != null && request.version() > 0;
            if (!versionNamed) {
                for (SchemaVersion version : state.liveVersions(subject)) {
                    if (version.schema().equals(canonical)) {
                        return version.id();
                    }
                }
            }
            List<String> reasons = registrationCheck(subject, schema);
            if (!reasons.isEmpty()) {
                throw RegistryException.incompatible("Schema being registered is incompatible with an earlier schema "
                        + "for subject \"" + subject + "\", details: [" + String.join(", ", reasons) + "]");
            }
            int id = state.idOf(canonical).orElseGet(() -> state.maxId() + 1);
            int version = state.maxVersion(subject) + 1;
            if (versionNamed && request.version() != version) {
                // Confluent's KafkaSchemaRegistry#register outside IMPORT mode
                throw RegistryException.invalidSchema("Version is not one more than previous version (the next "
                        + "version of subject '" + subject + "' is " + version + ", got " + request.version() + ")");
            }
            store.write(List.of(new StoreRecord.SchemaPut(new SchemaVersion(subject, version, id, canonical, false))));
            if (!state.schemaById(id).map(canonical::equals).orElse(false)) {
                // read back under another schema (a write that landed after this one's id was assigned): never answer
                // an id that decodes as another schema; a retry assigns a new one
                throw RegistryException.storeError("the schema was stored under id " + id + ", which the store holds "
                        + "for another schema; retry the request", null);
            }
            LOG.info("registered schema subject={} version={} id={}", subject, version, id);
            return id;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * The version of the subject holding this schema: {@code POST /subjects/{s}}; with {@code includeDeleted}
     * ({@code ?deleted=true}, what Confluent's deserializers send to find a record's version) soft-deleted versions
     * count too, a live one answering first.
     *
     * @throws RegistryException 42201 for an invalid schema (checked first, as Confluent does), 40401 when the
     *     subject has no such versions, 40403 when none of them holds the schema
     */
    public SchemaVersion lookup(String subject, RegisterSchemaRequest request, boolean includeDeleted) {
        String canonical = parse(request).toString();
        store.awaitReady();
        List<SchemaVersion> versions = includeDeleted ? state.allVersions(subject) : state.liveVersions(subject);
        if (versions.isEmpty()) {
            throw RegistryException.subjectNotFound(subject);
        }
        return versions.stream()
                .filter(version -> version.schema().equals(canonical))
                .min(java.util.Comparator.comparing(SchemaVersion::deleted))
                .orElseThrow(RegistryException::schemaNotFound);
    }

    /** The schema with this global id, soft-deleted versions' included (deserializers need them). */
    public String schemaById(int id) {
        store.awaitReady();
        return state.schemaById(id).orElseThrow(() -> schemaNotFound(id));
    }

    /**
     * The subject versions that use the schema with this id, soft-deleted ones only with {@code includeDeleted}.
     *
     * @throws RegistryException 40403 when no version has it
     */
    public List<SchemaVersion> versionsById(int id, boolean includeDeleted) {
        store.awaitReady();
        if (state.schemaById(id).isEmpty()) {
            throw schemaNotFound(id);
        }
        return state.versionsWithId(id, includeDeleted);
    }

    private RegistryException schemaNotFound(int id) {
        return state.foreignSchema(id)
                .map(what -> new RegistryException(404, 40403, "Schema " + id + " not found: it is " + what
                        + ", and this registry serves Avro schemas without references only"))
                .orElseGet(() -> RegistryException.schemaNotFound(id));
    }

    /** {@code GET /subjects}: see {@link RegistryState#subjects(boolean, boolean)}. */
    public List<String> subjects(boolean includeDeleted, boolean deletedOnly) {
        store.awaitReady();
        return state.subjects(includeDeleted, deletedOnly);
    }

    /**
     * {@code GET /subjects/{s}/versions}: the live version numbers, oldest first; with {@code includeDeleted} the
     * soft-deleted ones too, with {@code deletedOnly} only those (an empty list when the subject has none). Versions
     * this registry cannot serve (another type, references) are listed: their numbers are the subject's.
     *
     * @throws RegistryException 40401 when the subject has no version (no live one, unless deleted ones are asked for)
     */
    public List<Integer> versions(String subject, boolean includeDeleted, boolean deletedOnly) {
        store.awaitReady();
        List<Slot> slots = slots(subject);
        if (slots.stream().noneMatch(slot -> includeDeleted || deletedOnly || !slot.deleted())) {
            throw RegistryException.subjectNotFound(subject);
        }
        return slots.stream().filter(slot -> deletedOnly ? slot.deleted() : includeDeleted || !slot.deleted())
                .map(Slot::version).toList();
    }

    /**
     * A version by number or {@code latest} (the newest live one, as in Confluent's registry, whatever
     * {@code includeDeleted} says); with {@code includeDeleted} a soft-deleted numbered one too.
     *
     * @throws RegistryException 42202 for a version that is no number, 40401 when the subject has no such versions,
     *     40402 when it has not this one, or it is one this registry cannot serve (the message says so)
     */
    public SchemaVersion version(String subject, String version, boolean includeDeleted) {
        int number = parseVersion(version);
        store.awaitReady();
        List<Slot> slots = slots(subject);
        if (slots.stream().noneMatch(slot -> includeDeleted || !slot.deleted())) {
            throw RegistryException.subjectNotFound(subject);
        }
        return served(subject, find(slots, number, includeDeleted));
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

    /**
     * Removes the subject's own level, so it follows the global one again; returns the removed level.
     *
     * @throws RegistryException 40401 when the subject has no level of its own (Confluent's
     *     {@code ConfigResource#deleteSubjectConfig} answers "subject not found" here, not 40408)
     */
    public CompatibilityLevel deleteSubjectCompatibility(String subject) {
        writeLock.lock();
        try {
            store.awaitLatest();
            CompatibilityLevel current = state.subjectLevel(subject)
                    .orElseThrow(() -> RegistryException.subjectNotFound(subject));
            store.write(List.of(new StoreRecord.ConfigRemoved(subject)));
            LOG.info("compatibility of subject={} removed (was {})", subject, current);
            return current;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Whether the schema is compatible, by the subject's level, with the given live version ({@code latest} or -1:
     * the newest; a subject without versions passes), or with null with every version registration would check
     * (the newest, or all of them for a transitive level). As Confluent's {@code CompatibilityResource}: the version
     * is looked up before the schema is parsed, and a named version is the only one checked, whatever the level
     * (Confluent's Java client checks {@code /versions/latest}).
     *
     * @param verbose with {@code ?verbose=true} an invalid schema is an answer (its reason), not a 42201
     * @return the reasons it is incompatible; empty when it is compatible
     * @throws RegistryException 42202 for a version that is no number, 40402 for a numbered version the subject
     *     does not have live, 42201 for an invalid schema without {@code verbose}
     */
    public List<String> testCompatibility(String subject, String version, RegisterSchemaRequest request,
                                          boolean verbose) {
        int number = version == null ? LATEST : parseVersion(version);
        store.awaitReady();
        List<Slot> live = slots(subject).stream().filter(slot -> !slot.deleted()).toList();
        // a named version first (40402 before any 42201, as in Confluent); latest of a subject without one: nothing
        Slot against = version == null || (number == LATEST && live.isEmpty()) ? null : find(live, number, false);
        Schema schema;
        try {
            schema = parse(request);
        } catch (RegistryException invalid) {
            if (verbose && invalid.errorCode() == 42201) {
                return List.of(invalid.getMessage());
            }
            throw invalid;
        }
        if (version == null) {
            return registrationCheck(subject, schema);
        }
        if (against == null) {
            return List.of();
        }
        return against.foreign() != null ? List.of(cannotCheck(subject, against.foreign()))
                : CompatibilityChecker.check(schema, List.of(against.avro()), effectiveLevel(subject));
    }

    /**
     * What registration checks {@code schema} against, by the subject's level: its live versions, or, when it holds a
     * live version this registry cannot read (another type, references), which Confluent's registry would check a
     * new version against, the reason no Avro schema can be judged.
     *
     * @return the reasons it is incompatible; empty when it is compatible
     */
    private List<String> registrationCheck(String subject, Schema schema) {
        Optional<Slot> foreign = slots(subject).stream().filter(slot -> !slot.deleted() && slot.foreign() != null)
                .reduce((first, second) -> second);
        return foreign.isPresent() ? List.of(cannotCheck(subject, foreign.get().foreign()))
                : CompatibilityChecker.check(schema, state.liveVersions(subject), effectiveLevel(subject));
    }

    private static String cannotCheck(String subject, StoreRecord.ForeignVersion foreign) {
        return "subject '" + subject + "' holds version " + foreign.version() + ", " + foreign.what()
                + ", which this registry cannot check an Avro schema against; delete that version or use another subject";
    }

    /**
     * Soft-deletes every live version of the subject (they stay readable by id) with one {@code DELETE_SUBJECT}
     * record, as Confluent's registry does, or with {@code permanent} removes the versions an earlier soft delete
     * left, as tombstones, and then the subject's own compatibility level (Confluent's
     * {@code KafkaSchemaRegistry#deleteSubject}: a subject registered again starts afresh). Versions this registry
     * cannot serve (another type, references) are deleted with the others.
     *
     * @return the version numbers deleted, oldest first
     * @throws RegistryException 40401 for a subject without versions, 40404 for a soft delete of a subject whose
     *     versions are all soft-deleted, 40405 for a permanent delete of a subject with a live version
     */
    public List<Integer> deleteSubject(String subject, boolean permanent) {
        writeLock.lock();
        try {
            store.awaitLatest();
            List<Slot> slots = slots(subject);
            List<Integer> all = slots.stream().map(Slot::version).toList();
            List<Integer> live = slots.stream().filter(slot -> !slot.deleted()).map(Slot::version).toList();
            if (all.isEmpty()) {
                throw RegistryException.subjectNotFound(subject);
            }
            if (permanent) {
                if (!live.isEmpty()) {
                    throw RegistryException.subjectNotSoftDeleted(subject);
                }
                List<StoreRecord> removals = new java.util.ArrayList<>();
                if (state.subjectLevel(subject).isPresent()) {
                    // the level first: should a tombstone's write fail, a retry still finds the versions
                    removals.add(new StoreRecord.ConfigRemoved(subject));
                }
                all.forEach(number -> removals.add(new StoreRecord.SchemaRemoved(subject, number)));
                store.write(removals);
                LOG.info("permanently deleted subject={} versions={}", subject, all);
                return all;
            }
            if (live.isEmpty()) {
                throw RegistryException.subjectSoftDeleted(subject);
            }
            store.write(List.of(new StoreRecord.SubjectDeleted(subject, live.get(live.size() - 1))));
            LOG.info("soft-deleted subject={} versions={}", subject, live);
            return live;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * {@code DELETE /subjects/{s}/versions/{v}}: soft-deletes one live version, or with {@code permanent} removes a
     * soft-deleted one as a tombstone, and the subject's own compatibility level with its last version, as
     * Confluent's {@code KafkaSchemaRegistry#deleteSchemaVersion} does. {@code latest} is the newest live version, as
     * everywhere in Confluent's registry (so a permanent delete of {@code latest} is a 40407).
     *
     * @return the version number deleted
     * @throws RegistryException 42202 for a version that is no number, 40401 for a subject without versions,
     *     40402 when it has not this one (or no live one for {@code latest}), 40406 for a soft delete of a
     *     soft-deleted version, 40407 for a permanent delete of a live one, 42201 for a version this registry cannot
     *     serve (another type, references)
     */
    public int deleteVersion(String subject, String version, boolean permanent) {
        int number = parseVersion(version);
        writeLock.lock();
        try {
            store.awaitLatest();
            List<Slot> slots = slots(subject);
            if (slots.isEmpty()) {
                throw RegistryException.subjectNotFound(subject);
            }
            Slot found = find(slots, number, true);
            if (found.foreign() != null) {
                throw RegistryException.invalidSchema("version " + found.version() + " of subject '" + subject
                        + "' is " + found.foreign().what() + ", which this registry does not manage; delete the whole subject");
            }
            if (permanent) {
                if (!found.deleted()) {
                    throw RegistryException.versionNotSoftDeleted(subject, found.version());
                }
                List<StoreRecord> removals = new java.util.ArrayList<>();
                if (slots.size() == 1 && state.subjectLevel(subject).isPresent()) {
                    // the level first: should the tombstone's write fail, a retry still finds the version
                    removals.add(new StoreRecord.ConfigRemoved(subject));
                }
                removals.add(new StoreRecord.SchemaRemoved(subject, found.version()));
                store.write(removals);
                LOG.info("permanently deleted subject={} version={}", subject, found.version());
                return found.version();
            }
            if (found.deleted()) {
                throw RegistryException.versionSoftDeleted(subject, found.version());
            }
            store.write(List.of(new StoreRecord.SchemaPut(found.avro().markDeleted())));
            LOG.info("soft-deleted subject={} version={}", subject, found.version());
            return found.version();
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * One version number of a subject: an Avro version this registry serves ({@code avro}) or one it cannot
     * ({@code foreign}), exactly one of them set.
     */
    private record Slot(int version, boolean deleted, SchemaVersion avro, StoreRecord.ForeignVersion foreign) {
    }

    /** Every version of the subject, soft-deleted and foreign ones included, oldest first. */
    private List<Slot> slots(String subject) {
        java.util.TreeMap<Integer, Slot> slots = new java.util.TreeMap<>();
        state.allVersions(subject).forEach(v -> slots.put(v.version(), new Slot(v.version(), v.deleted(), v, null)));
        state.allForeignVersions(subject).forEach(v -> slots.put(v.version(), new Slot(v.version(), v.deleted(), null, v)));
        return List.copyOf(slots.values());
    }

    /**
     * The slot with this number, or for {@code latest} the newest live one (Confluent's
     * {@code getLatestVersion}: soft-deleted versions are never the latest).
     *
     * @param includeDeleted whether a numbered version may be a soft-deleted one
     * @throws RegistryException 40402 when there is none
     */
    private static Slot find(List<Slot> slots, int number, boolean includeDeleted) {
        java.util.stream.Stream<Slot> candidates = slots.stream()
                .filter(slot -> number == LATEST ? !slot.deleted() : slot.version() == number && (includeDeleted || !slot.deleted()));
        return (number == LATEST ? candidates.reduce((first, second) -> second) : candidates.findFirst())
                .orElseThrow(() -> RegistryException.versionNotFound(number));
    }

    /** The Avro version of {@code slot}; 40402 saying why for a version this registry cannot serve. */
    private static SchemaVersion served(String subject, Slot slot) {
        if (slot.foreign() != null) {
            throw new RegistryException(404, 40402, "Version " + slot.version() + " of subject '" + subject + "' is "
                    + slot.foreign().what() + ", which this registry does not serve (Avro without references only)");
        }
        return slot.avro();
    }

    private void write(StoreRecord record) {
        writeLock.lock();
        try {
            store.awaitLatest();
            store.write(List.of(record));
        } finally {
            writeLock.unlock();
        }
    }

    private CompatibilityLevel effectiveLevel(String subject) {
        return state.subjectLevel(subject).or(state::globalLevel).orElse(defaultLevel);
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

    /**
     * Confluent's {@code ?normalize=}: checked as every flag is ({@link #flag}), then not used, since this registry's
     * identity of a schema is already its canonical form.
     *
     * @throws RegistryException 400 for a value that is neither true nor false
     */
    static void requireNormalizeFlag(String value) {
        flag("normalize", value, false);
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
        // stored nowhere here: accepting them would drop a data contract without a word
        if (request.metadata() != null || request.ruleSet() != null) {
            throw new RegistryException(422, 42201, "Invalid schema: " + (request.metadata() != null ? "metadata" : "ruleSet")
                    + " is not supported by this registry; leave it out");
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
