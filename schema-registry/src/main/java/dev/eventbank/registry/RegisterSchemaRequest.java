package dev.eventbank.registry;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;

/**
 * The body of {@code POST /subjects/{s}/versions}, {@code POST /subjects/{s}} and the compatibility check.
 * Confluent's newer fields (metadata, ruleSet, id, version) are ignored.
 *
 * @param schema     the schema as a JSON string
 * @param schemaType absent or {@code AVRO}; anything else is rejected
 * @param references schema references; only an empty list is accepted
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RegisterSchemaRequest(String schema, String schemaType, List<Object> references) {

    public static RegisterSchemaRequest of(String schema) {
        return new RegisterSchemaRequest(schema, null, null);
    }
}
