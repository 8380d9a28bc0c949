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
 * </pre>
 * A null value is a tombstone. Keys are written field by field in this order, never from a map, because
 * compaction compares key bytes: the same logical key must always be the same bytes.
 *
 * <p>Limits: record types this registry does not use (NOOP, MODE, DELETE_SUBJECT, CLEAR_SUBJECT, ...) and
 * schemas of other types than Avro are skipped on read, with a warning for the latter.
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
        } else {
            throw new IllegalArgumentException("unknown store record " + record);
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
        } else if (record instanceof StoreRecord.SchemaRemoved || record instanceof StoreRecord.ConfigRemoved) {
            return null;
        }
        throw new IllegalArgumentException("unknown store record " + record);
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
                String schemaType = value.path("schemaType").asText("AVRO");
                if (!"AVRO".equalsIgnoreCase(schemaType)) {
                    LOG.warn("skipping {} schema of subject {} version {}: only Avro is supported", schemaType,
                            subject, version);
                    return Optional.empty();
                }
                if (!value.path("id").canConvertToInt() || !value.path("schema").isTextual()) {
                    throw new IllegalArgumentException("SCHEMA value without id or schema: " + valueJson);
                }
                return Optional.of(new StoreRecord.SchemaPut(new SchemaVersion(subject, version,
                        value.path("id").asInt(), value.path("schema").asText(), value.path("deleted").asBoolean(false))));
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
