package dev.eventbank.registry;

/**
 * What the registry writes to and reads back from its topic: a change to a subject's versions or to a
 * compatibility setting. {@link StoreCodec} maps these to Confluent's key/value JSON.
 */
public sealed interface StoreRecord {

    /** A version written or soft-deleted (then {@code deleted} is true). */
    record SchemaPut(SchemaVersion version) implements StoreRecord {
    }

    /** A tombstone: a version permanently deleted. */
    record SchemaRemoved(String subject, int version) implements StoreRecord {
    }

    /**
     * Confluent's {@code DELETE_SUBJECT} record, how both registries soft-delete a whole subject: every version up to
     * {@code upToVersion} is soft-deleted.
     */
    record SubjectDeleted(String subject, int upToVersion) implements StoreRecord {
    }

    /**
     * A version this registry can neither serve nor check against: another schema type (JSON, Protobuf) or an Avro
     * schema with references, written by Confluent's registry to a shared topic. Kept so that its id and version
     * number are never handed out again, and so that the subject's checks know it is there.
     *
     * @param what what kind of schema it is, for messages ("a PROTOBUF schema", "an Avro schema with references")
     */
    record ForeignVersion(String subject, int version, int id, boolean deleted, String what) implements StoreRecord {

        ForeignVersion markDeleted() {
            return new ForeignVersion(subject, version, id, true, what);
        }
    }

    /** A compatibility level set; {@code subject} is null for the global level. */
    record ConfigPut(String subject, CompatibilityLevel level) implements StoreRecord {
    }

    /** A subject-level compatibility removed (tombstone), so the subject falls back to the global level. */
    record ConfigRemoved(String subject) implements StoreRecord {
    }
}
