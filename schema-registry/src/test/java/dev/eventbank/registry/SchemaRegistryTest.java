package dev.eventbank.registry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The registry's rules over an in-memory store: ids, versions, levels and Confluent's error codes, no Kafka. */
class SchemaRegistryTest {

    private final RegistryState state = new RegistryState();
    private final InMemorySchemaStore store = new InMemorySchemaStore(state);
    private final SchemaRegistry registry = new SchemaRegistry(state, store,
            new RegistryConfig("_schemas", (short) 1, Duration.ofSeconds(1), CompatibilityLevel.BACKWARD));

    @Test
    void shouldReturnSameIdWhenSameSchemaIsRegisteredAgainInAnotherLayout() {
        // given
        int id = register("user-value", Schemas.USER_V1);
        // when: the same schema with other whitespace and key order
        int again = register("user-value", """
                { "namespace" : "test", "name" : "User", "type" : "record",
                  "fields" : [ { "type" : "string", "name" : "a" } ] }""");
        // then
        assertEquals(id, again);
        assertEquals(List.of(1), registry.versions("user-value"));
        assertEquals(1, store.written().size());
    }

    @Test
    void shouldReuseGlobalIdWhenSameSchemaIsRegisteredUnderAnotherSubject() {
        // given
        int id = register("user-value", Schemas.USER_V1);
        // when
        int other = register("user-key", Schemas.USER_V1);
        // then
        assertEquals(id, other);
        assertEquals(1, registry.version("user-key", "latest").version());
    }

    @Test
    void shouldAssignNextIdAndVersionWhenSchemaIsNew() {
        // given
        register("user-value", Schemas.USER_V1);
        register("order-value", "\"string\"");
        // when
        int id = register("user-value", Schemas.USER_B_WITH_DEFAULT);
        // then
        assertEquals(3, id);
        SchemaVersion latest = registry.version("user-value", "latest");
        assertEquals(2, latest.version());
        assertEquals(3, latest.id());
    }

    @Test
    void shouldRejectWith409WhenIncompatibleAndAcceptAfterSubjectSetToForward() {
        // given
        register("user-value", Schemas.USER_V1);
        // when
        RegistryException rejected = assertThrows(RegistryException.class,
                () -> register("user-value", Schemas.USER_B_WITHOUT_DEFAULT));
        registry.setSubjectCompatibility("user-value", "FORWARD");
        int id = register("user-value", Schemas.USER_B_WITHOUT_DEFAULT);
        // then
        assertEquals(409, rejected.status());
        assertEquals(409, rejected.errorCode());
        assertTrue(rejected.getMessage().startsWith(
                "Schema being registered is incompatible with an earlier schema for subject \"user-value\", details: ["),
                rejected.getMessage());
        assertEquals(2, id);
        assertEquals(CompatibilityLevel.BACKWARD, registry.globalCompatibility());
    }

    @Test
    void shouldAnswerConfluentErrorCodesWhenAskedForWhatIsNotThere() {
        // given
        register("user-value", Schemas.USER_V1);
        // when / then
        assertError(404, 40401, () -> registry.versions("nobody"));
        assertError(404, 40402, () -> registry.version("user-value", "7"));
        assertError(404, 40403, () -> registry.schemaById(99));
        assertError(404, 40403, () -> registry.lookup("user-value", RegisterSchemaRequest.of("\"long\"")));
        assertError(404, 40408, () -> registry.subjectCompatibility("user-value", false));
        assertError(422, 42201, () -> register("user-value", "{\"type\":\"record\"}"));
        assertError(422, 42201, () -> registry.register("user-value", new RegisterSchemaRequest("\"string\"", "PROTOBUF", null)));
        assertError(422, 42202, () -> registry.version("user-value", "0"));
        assertError(422, 42202, () -> registry.version("user-value", "one"));
        assertError(422, 42203, () -> registry.setGlobalCompatibility("SIDEWAYS"));
    }

    @Test
    void shouldFallBackToGlobalLevelWhenAskedWithDefaultToGlobal() {
        // given
        registry.setGlobalCompatibility("full");
        // when
        CompatibilityLevel level = registry.subjectCompatibility("user-value", true);
        // then
        assertEquals(CompatibilityLevel.FULL, level);
    }

    @Test
    void shouldHideVersionsButKeepIdsWhenSubjectIsSoftDeleted() {
        // given
        int id = register("user-value", Schemas.USER_V1);
        // when
        List<Integer> deleted = registry.deleteSubject("user-value", false);
        // then
        assertEquals(List.of(1), deleted);
        assertEquals(List.of(), registry.subjects());
        assertError(404, 40401, () -> registry.versions("user-value"));
        assertEquals(state.schemaById(id).orElseThrow(), registry.schemaById(id));
        // and a new registration continues the version numbers, with the same id
        assertEquals(id, register("user-value", Schemas.USER_V1));
        assertEquals(2, registry.version("user-value", "latest").version());
    }

    @Test
    void shouldDeletePermanentlyOnlyWhenSoftDeletedFirst() {
        // given
        register("user-value", Schemas.USER_V1);
        // when / then
        assertError(404, 40405, () -> registry.deleteSubject("user-value", true));
        registry.deleteSubject("user-value", false);
        assertEquals(List.of(1), registry.deleteSubject("user-value", true));
        assertError(404, 40401, () -> registry.deleteSubject("user-value", false));
        assertError(404, 40403, () -> registry.schemaById(1));
    }

    @Test
    void shouldDescribeASchemaThatIsNotJsonWithoutThePartsThatDescribeTheParser() {
        for (String schema : new String[] {"{", "{\"type\":", "{\"type\" \"record\"}"}) {
            RegistryException error = assertThrows(RegistryException.class, () -> register("user-value", schema));
            assertEquals(42201, error.errorCode(), error.getMessage());
            assertTrue(error.getMessage().startsWith("Invalid schema: "), error.getMessage());
            assertFalse(error.getMessage().contains("Source") || error.getMessage().contains("StreamReadFeature"),
                    error.getMessage());
        }
    }

    private int register(String subject, String schema) {
        return registry.register(subject, RegisterSchemaRequest.of(schema));
    }

    private static void assertError(int status, int errorCode, Executable call) {
        RegistryException error = assertThrows(RegistryException.class, call);
        assertEquals(status, error.status(), error.getMessage());
        assertEquals(errorCode, error.errorCode(), error.getMessage());
    }
}
