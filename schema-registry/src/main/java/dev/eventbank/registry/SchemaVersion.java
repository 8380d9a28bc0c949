package dev.eventbank.registry;

/**
 * One version of a subject as stored in {@code _schemas}: the schema is kept in Avro's canonical JSON
 * ({@code Schema.toString()}), which is also what the API returns, as Confluent does.
 */
public record SchemaVersion(String subject, int version, int id, String schema, boolean deleted) {

    public SchemaVersion markDeleted() {
        return new SchemaVersion(subject, version, id, schema, true);
    }
}
