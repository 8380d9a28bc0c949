package dev.eventbank.schemas.serde;

import org.apache.avro.Schema;

/**
 * The registry operations a Confluent-format serde needs. Implementations cache: a schema id never
 * changes meaning, so lookups by id are cached forever, and registrations once per subject and schema.
 */
public interface SchemaRegistryClient {

    /**
     * Gives {@code subject} the compatibility {@code level} (a Confluent level name, e.g. {@code FULL_TRANSITIVE})
     * unless the subject already has a level of its own, which is kept: an operator may have set one on purpose
     * (docs/schema-evolution.md relaxes it for one release). The registry's global level is not looked at.
     */
    void ensureSubjectCompatibility(String subject, String level);

    /** Registers {@code schema} under {@code subject} (or finds it registered) and returns its global id. */
    int register(String subject, Schema schema);

    /** The schema with this global id. */
    Schema schemaById(int id);
}
