package dev.eventbank.registry;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;

/**
 * The body of {@code POST /subjects/{s}/versions}, {@code POST /subjects/{s}} and the compatibility check.
 *
 * @param schema     the schema as a JSON string
 * @param schemaType absent or {@code AVRO}; anything else is rejected
 * @param references schema references; only an empty list is accepted
 * @param id         an id to register under: only Confluent's IMPORT mode takes one, which this registry has not;
 *                   absent or negative (Confluent's Java client sends -1) for none
 * @param version    the version to register as: absent or 0 or less for the next one, else it must be the next one
 * @param metadata   Confluent's schema metadata: not supported, only absent or null accepted
 * @param ruleSet    Confluent's data contract rules: not supported, only absent or null accepted
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RegisterSchemaRequest(String schema, String schemaType, List<Object> references, Integer id,
                                    Integer version, Object metadata, Object ruleSet) {

    public static RegisterSchemaRequest of(String schema) {
        return new RegisterSchemaRequest(schema, null, null, null, null, null, null);
    }

    /** {@code schema} with another type, as a client names it in {@code schemaType}. */
    public static RegisterSchemaRequest of(String schema, String schemaType) {
        return new RegisterSchemaRequest(schema, schemaType, null, null, null, null, null);
    }
}
