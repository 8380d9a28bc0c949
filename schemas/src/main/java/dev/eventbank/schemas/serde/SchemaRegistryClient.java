package dev.eventbank.schemas.serde;

import org.apache.avro.Schema;

/**
 * The two registry operations a Confluent-format serde needs. Implementations cache: a schema id never
 * changes meaning, so lookups by id are cached forever, and registrations once per subject and schema.
 */
public interface SchemaRegistryClient {

    /** Registers {@code schema} under {@code subject} (or finds it registered) and returns its global id. */
    int register(String subject, Schema schema);

    /** The schema with this global id. */
    Schema schemaById(int id);
}
