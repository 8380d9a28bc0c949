package dev.eventbank.registry;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code _schemas} record format is Confluent's, byte for byte in the keys, so compaction and both registries agree. */
class StoreCodecTest {

    @Test
    void shouldWriteConfluentSchemaRecordWhenVersionIsPut() {
        // given
        StoreRecord record = new StoreRecord.SchemaPut(new SchemaVersion("user-value", 2, 7, "\"string\"", false));
        // when / then
        assertEquals("{\"keytype\":\"SCHEMA\",\"subject\":\"user-value\",\"version\":2,\"magic\":1}",
                StoreCodec.key(record));
        assertEquals("{\"subject\":\"user-value\",\"version\":2,\"id\":7,\"schema\":\"\\\"string\\\"\",\"deleted\":false}",
                StoreCodec.value(record));
    }

    @Test
    void shouldWriteConfluentConfigRecordsWhenLevelIsSet() {
        // given / when / then
        assertEquals("{\"keytype\":\"CONFIG\",\"subject\":null,\"magic\":0}",
                StoreCodec.key(new StoreRecord.ConfigPut(null, CompatibilityLevel.FULL)));
        assertEquals("{\"keytype\":\"CONFIG\",\"subject\":\"user-value\",\"magic\":0}",
                StoreCodec.key(new StoreRecord.ConfigRemoved("user-value")));
        assertEquals("{\"compatibilityLevel\":\"FULL\"}",
                StoreCodec.value(new StoreRecord.ConfigPut(null, CompatibilityLevel.FULL)));
        assertNull(StoreCodec.value(new StoreRecord.ConfigRemoved("user-value")));
    }

    @Test
    void shouldReadBackWhatItWroteWhenDecoding() {
        // given
        StoreRecord[] records = {
                new StoreRecord.SchemaPut(new SchemaVersion("s", 1, 1, "\"long\"", true)),
                new StoreRecord.SchemaRemoved("s", 1),
                new StoreRecord.ConfigPut(null, CompatibilityLevel.NONE),
                new StoreRecord.ConfigPut("s", CompatibilityLevel.FORWARD_TRANSITIVE),
                new StoreRecord.ConfigRemoved("s"),
                new StoreRecord.SubjectDeleted("s", 3)};
        for (StoreRecord record : records) {
            // when
            Optional<StoreRecord> decoded = StoreCodec.decode(StoreCodec.key(record), StoreCodec.value(record));
            // then
            assertEquals(Optional.of(record), decoded);
        }
    }

    @Test
    void shouldSkipRecordsItDoesNotUseWhenConfluentWroteThem() {
        // given Confluent's NOOP marker
        // when / then
        assertTrue(StoreCodec.decode("{\"keytype\":\"NOOP\",\"magic\":0}", null).isEmpty());
    }

    @Test
    void shouldKeepASchemaOfAnotherTypeOrWithReferencesAsForeign() {
        assertEquals(Optional.of(new StoreRecord.ForeignVersion("p", 1, 3, false, "a PROTOBUF schema")),
                StoreCodec.decode("{\"keytype\":\"SCHEMA\",\"subject\":\"p\",\"version\":1,\"magic\":1}",
                        "{\"subject\":\"p\",\"version\":1,\"id\":3,\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax\",\"deleted\":false}"));
        assertEquals(Optional.of(new StoreRecord.ForeignVersion("r", 2, 4, true, "an Avro schema with references")),
                StoreCodec.decode("{\"keytype\":\"SCHEMA\",\"subject\":\"r\",\"version\":2,\"magic\":1}",
                        "{\"subject\":\"r\",\"version\":2,\"id\":4,\"schema\":\"{}\",\"deleted\":true,"
                                + "\"references\":[{\"name\":\"a.B\",\"subject\":\"b\",\"version\":1}]}"));
    }

    @Test
    void shouldWriteDeleteSubjectInConfluentsBytes() {
        // Confluent's DeleteSubjectKey (@JsonPropertyOrder keytype, subject, magic; magic 0) and DeleteSubjectValue
        assertEquals("{\"keytype\":\"DELETE_SUBJECT\",\"subject\":\"s\",\"magic\":0}",
                StoreCodec.key(new StoreRecord.SubjectDeleted("s", 3)));
        assertEquals("{\"subject\":\"s\",\"version\":3}", StoreCodec.value(new StoreRecord.SubjectDeleted("s", 3)));
    }
}
