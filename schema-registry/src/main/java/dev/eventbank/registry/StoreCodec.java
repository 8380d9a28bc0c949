package dev.eventbank.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * Confluent's {@code _schemas} record format, so a topic written by either registry reads the same:
 * <pre>
 * key   {"keytype":"SCHEMA","subject":"s","version":1,"magic":1}
 * value {"subject":"s","version":1,"id":1,"schema":"...","deleted":false}
 * key   {"keytype":"CONFIG","subject":null,"magic":0}      (subject name for a subject-level config)
 * value {"compatibilityLevel":"FULL"}
 * key   {"keytype":"DELETE_SUBJECT","subject":"s","magic":0}
 * value {"subject":"s","version":3}                          (soft-deletes versions 1 to 3)
 * </pre>
 * A null value is a tombstone. Keys are written field by field in this order, never from a map, because
 * compaction compares key bytes: the same logical key must always be the same bytes (Confluent's key classes
 * fix the same order with {@code @JsonPropertyOrder}).
 *
 * <p>A SCHEMA record of another type than Avro, or with schema references, is read as a
 * {@link StoreRecord.ForeignVersion}: not served, but its id and version stay taken. Record types this registry
 * does not use (NOOP, MODE, CLEAR_SUBJECT, ...) are skipped.
 */
final class StoreCodec {

    private static final Logger LOG = LoggerFactory.getLogger(StoreCodec.class);
    // our own mapper: the application's JSON settings must never change the bytes of a key
    private static final ObjectMapper JSON = new ObjectMapper();

    private StoreCodec() {
    }

    static String key(StoreRecord record) {
        ObjectNode key = JSON.createObjectNode();
        if (record instanceof StoreRecord.SchemaPut put) {
            schemaKey(key, put.version().subject(), put.version().version());
        } else if (record instanceof StoreRecord.SchemaRemoved removed) {
            schemaKey(key, removed.subject(), removed.version());
        } else if (record instanceof StoreRecord.ConfigPut config) {
            configKey(key, config.subject());
        } else if (record instanceof StoreRecord.ConfigRemoved config) {
            configKey(key, config.subject());
        } else if (record instanceof StoreRecord.SubjectDeleted deleted) {
            key.put("keytype", "DELETE_SUBJECT").put("subject", deleted.subject()).put("magic", 0);
        } else {
            // ForeignVersion: read only, this registry never writes another registry's schemas
            throw new IllegalArgumentException("not a record this registry writes: " + record);
        }
        return key.toString();
    }

    /** The value, or null for a tombstone. */
    static String value(StoreRecord record) {
        if (record instanceof StoreRecord.SchemaPut put) {
            SchemaVersion version = put.version();
            return JSON.createObjectNode()
                    .put("subject", version.subject())
                    .put("version", version.version())
                    .put("id", version.id())
                    .put("schema", version.schema())
                    .put("deleted", version.deleted())
                    .toString();
        } else if (record instanceof StoreRecord.ConfigPut config) {
            return JSON.createObjectNode().put("compatibilityLevel", config.level().name()).toString();
        } else if (record instanceof StoreRecord.SubjectDeleted deleted) {
            return JSON.createObjectNode().put("subject", deleted.subject()).put("version", deleted.upToVersion())
                    .toString();
        } else if (record instanceof StoreRecord.SchemaRemoved || record instanceof StoreRecord.ConfigRemoved) {
            return null;
        }
        throw new IllegalArgumentException("not a record this registry writes: " + record);
    }

    /**
     * Decodes one record of the topic; empty for record types this registry ignores.
     *
     * @throws IllegalArgumentException if the key or value is not the JSON Confluent's format prescribes
     */
    static Optional<StoreRecord> decode(String keyJson, String valueJson) {
        JsonNode key = parse(keyJson, "key");
        String keyType = key.path("keytype").asText("");
        JsonNode subjectNode = key.path("subject");
        String subject = subjectNode.isTextual() ? subjectNode.asText() : null;
        switch (keyType) {
            case "SCHEMA" -> {
                if (subject == null || !key.path("version").canConvertToInt()) {
                    throw new IllegalArgumentException("SCHEMA key without subject or version: " + keyJson);
                }
                int version = key.path("version").asInt();
                if (valueJson == null) {
                    return Optional.of(new StoreRecord.SchemaRemoved(subject, version));
                }
                JsonNode value = parse(valueJson, "value");
                if (!value.path("id").canConvertToInt()) {
                    throw new IllegalArgumentException("SCHEMA value without id: " + valueJson);
                }
                int id = value.path("id").asInt();
                boolean deleted = value.path("deleted").asBoolean(false);
                String schemaType = value.path("schemaType").asText("AVRO");
                JsonNode references = value.path("references");
                String foreign = !"AVRO".equalsIgnoreCase(schemaType) ? "a " + schemaType + " schema"
                        : references.isArray() && !references.isEmpty() ? "an Avro schema with references" : null;
                if (foreign != null) {
                    LOG.warn("schema not served, its id and version kept as taken (this registry serves Avro without "
                            + "references) subject=\"{}\" version={} id={} kind=\"{}\"", subject, version, id, foreign);
                    return Optional.of(new StoreRecord.ForeignVersion(subject, version, id, deleted, foreign));
                }
                if (!value.path("schema").isTextual()) {
                    throw new IllegalArgumentException("SCHEMA value without schema: " + valueJson);
                }
                return Optional.of(new StoreRecord.SchemaPut(new SchemaVersion(subject, version, id,
                        value.path("schema").asText(), deleted)));
            }
            case "CONFIG" -> {
                if (valueJson == null) {
                    return Optional.of(new StoreRecord.ConfigRemoved(subject));
                }
                JsonNode level = parse(valueJson, "value").path("compatibilityLevel");
                if (!level.isTextual()) {
                    // Confluent's newer config fields without a level: nothing this registry applies
                    return Optional.of(new StoreRecord.ConfigRemoved(subject));
                }
                return Optional.of(new StoreRecord.ConfigPut(subject, CompatibilityLevel.parse(level.asText())));
            }
            case "DELETE_SUBJECT" -> {
                if (valueJson == null) {
                    return Optional.empty(); // the key compacted away: nothing to undo, the versions keep their state
                }
                JsonNode value = parse(valueJson, "value");
                if (subject == null || !value.path("version").canConvertToInt()) {
                    throw new IllegalArgumentException("DELETE_SUBJECT record without subject or version: " + valueJson);
                }
                return Optional.of(new StoreRecord.SubjectDeleted(subject, value.path("version").asInt()));
            }
            default -> {
                return Optional.empty();
            }
        }
    }

    private static void schemaKey(ObjectNode key, String subject, int version) {
        key.put("keytype", "SCHEMA").put("subject", subject).put("version", version).put("magic", 1);
    }

    private static void configKey(ObjectNode key, String subject) {
        key.put("keytype", "CONFIG");
        if (subject == null) {
            key.putNull("subject");
        } else {
            key.put("subject", subject);
        }
        key.put("magic", 0);
    }

    private static JsonNode parse(String json, String what) {
        if (json == null) {
            throw new IllegalArgumentException("record without a " + what);
        }
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("record " + what + " is not JSON: " + e.getOriginalMessage());
        }
    }
}
