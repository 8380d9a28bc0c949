package dev.eventbank.schemas.serde;

import org.apache.avro.Schema;

import java.util.List;

/**
 * The registry operations a Confluent-format serde needs, plus listing and deleting subjects (for cleaning up
 * after internal topics that are deleted). Implementations cache: a schema id never changes meaning, so lookups by
 * id are cached forever, and registrations once per subject and schema.
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

    /**
     * The subjects that have at least one version not deleted, as Confluent's {@code GET /subjects}.
     *
     * @throws SchemaRegistryException when the registry cannot be reached or answers an error
     * @throws UnsupportedOperationException from a client that only serves serdes (e.g. a test's fixed schemas)
     */
    default List<String> subjects() {
        throw new UnsupportedOperationException(getClass().getName() + " cannot list subjects");
    }

    /**
     * Deletes every version of {@code subject} for good: a soft delete, then a permanent one (Confluent's registry
     * refuses a permanent delete of versions that were not soft-deleted first). Schema ids stay readable as long as
     * another subject uses the same schema. A subject that does not exist is not an error.
     *
     * @return the version numbers deleted, empty when the subject did not exist
     * @throws SchemaRegistryException when the registry cannot be reached or refuses
     * @throws UnsupportedOperationException from a client that only serves serdes (e.g. a test's fixed schemas)
     */
    default List<Integer> deleteSubject(String subject) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot delete subjects");
    }
}
