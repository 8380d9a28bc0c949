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

    /** A compatibility level set; {@code subject} is null for the global level. */
    record ConfigPut(String subject, CompatibilityLevel level) implements StoreRecord {
    }

    /** A subject-level compatibility removed (tombstone), so the subject falls back to the global level. */
    record ConfigRemoved(String subject) implements StoreRecord {
    }
}
