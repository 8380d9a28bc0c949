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
        assertEquals(List.of(1), registry.versions("user-value", false, false));
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
        assertEquals(1, registry.version("user-key", "latest", false).version());
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
        SchemaVersion latest = registry.version("user-value", "latest", false);
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
        assertError(404, 40401, () -> registry.versions("nobody", false, false));
        assertError(404, 40402, () -> registry.version("user-value", "7", false));
        assertError(404, 40403, () -> registry.schemaById(99));
        assertError(404, 40403, () -> registry.lookup("user-value", RegisterSchemaRequest.of("\"long\""), false));
        assertError(404, 40408, () -> registry.subjectCompatibility("user-value", false));
        assertError(422, 42201, () -> register("user-value", "{\"type\":\"record\"}"));
        assertError(422, 42201, () -> registry.register("user-value", RegisterSchemaRequest.of("\"string\"", "PROTOBUF")));
        assertError(422, 42202, () -> registry.version("user-value", "0", false));
        assertError(422, 42202, () -> registry.version("user-value", "one", false));
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
        assertEquals(List.of(), registry.subjects(false, false));
        assertError(404, 40401, () -> registry.versions("user-value", false, false));
        assertEquals(state.schemaById(id).orElseThrow(), registry.schemaById(id));
        // and a new registration continues the version numbers, with the same id
        assertEquals(id, register("user-value", Schemas.USER_V1));
        assertEquals(2, registry.version("user-value", "latest", false).version());
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
    void shouldCheckOnlyTheNamedVersionWhateverTheLevelAsConfluentDoes() {
        // given: a transitive level; V1 has a, V2 drops it (FORWARD: old readers need a)
        registry.setSubjectCompatibility("user-value", "NONE");
        register("user-value", Schemas.USER_V1);
        register("user-value", Schemas.USER_WITHOUT_A);
        registry.setSubjectCompatibility("user-value", "FORWARD_TRANSITIVE");
        RegisterSchemaRequest withoutA = RegisterSchemaRequest.of(Schemas.USER_WITHOUT_A);
        // when / then: latest and -1 check version 2 only (Confluent's Java client asks /versions/latest)
        assertEquals(List.of(), registry.testCompatibility("user-value", "latest", withoutA, false));
        assertEquals(List.of(), registry.testCompatibility("user-value", "-1", withoutA, false));
        // the route without a version checks what registration would: every version
        assertFalse(registry.testCompatibility("user-value", null, withoutA, false).isEmpty());
        assertFalse(registry.testCompatibility("user-value", "1", withoutA, false).isEmpty());
        // a subject without versions passes latest, and has no version 1
        assertEquals(List.of(), registry.testCompatibility("nobody", "latest", withoutA, false));
        assertError(404, 40402, () -> registry.testCompatibility("nobody", "1", withoutA, false));
        assertError(404, 40402, () -> registry.testCompatibility("user-value", "3", withoutA, false));
    }

    @Test
    void shouldAnswerAnInvalidSchemaAsIncompatibleWhenVerbose() {
        RegisterSchemaRequest invalid = RegisterSchemaRequest.of("{\"type\":\"nonsense\"}");
        List<String> reasons = registry.testCompatibility("user-value", "latest", invalid, true);
        assertEquals(1, reasons.size());
        assertTrue(reasons.get(0).startsWith("Invalid schema: "), reasons.get(0));
        assertError(422, 42201, () -> registry.testCompatibility("user-value", "latest", invalid, false));
    }

    @Test
    void shouldRemoveTheSubjectLevelWithAPermanentDelete() {
        // given
        register("user-value", Schemas.USER_V1);
        registry.setSubjectCompatibility("user-value", "NONE");
        // when
        registry.deleteSubject("user-value", false);
        // then: a soft delete keeps the level, a permanent one removes it
        assertEquals(CompatibilityLevel.NONE, registry.subjectCompatibility("user-value", false));
        registry.deleteSubject("user-value", true);
        assertError(404, 40408, () -> registry.subjectCompatibility("user-value", false));
    }

    @Test
    void shouldAnswerSubjectNotFoundWhenDeletingALevelTheSubjectDoesNotHave() {
        assertError(404, 40401, () -> registry.deleteSubjectCompatibility("user-value"));
    }

    @Test
    void shouldSoftDeleteASubjectWithOneDeleteSubjectRecordAsConfluentDoes() {
        // given
        register("user-value", Schemas.USER_V1);
        register("user-value", Schemas.USER_B_WITH_DEFAULT);
        int before = store.written().size();
        // when
        assertEquals(List.of(1, 2), registry.deleteSubject("user-value", false));
        // then
        assertEquals(List.of(new StoreRecord.SubjectDeleted("user-value", 2)),
                store.written().subList(before, store.written().size()));
        assertEquals(List.of(), registry.subjects(false, false));
        assertEquals(List.of("user-value"), registry.subjects(true, false));
        assertEquals(List.of("user-value"), registry.subjects(false, true));
        assertEquals(List.of(1, 2), registry.versions("user-value", true, false));
        assertEquals(2, registry.version("user-value", "2", true).version());
        // latest is the newest live version, deleted ones asked for or not (Confluent's getLatestVersion)
        assertError(404, 40402, () -> registry.version("user-value", "latest", true));
        assertError(404, 40401, () -> registry.version("user-value", "latest", false));
    }

    @Test
    void shouldFindASoftDeletedVersionOnlyWhenDeletedIsAskedFor() {
        // given
        register("user-value", Schemas.USER_V1);
        register("user-value", Schemas.USER_B_WITH_DEFAULT);
        registry.deleteVersion("user-value", "1", false);
        RegisterSchemaRequest v1 = RegisterSchemaRequest.of(Schemas.USER_V1);
        // when / then (Confluent's deserializers look a record's schema up with deleted=true)
        assertError(404, 40403, () -> registry.lookup("user-value", v1, false));
        assertEquals(1, registry.lookup("user-value", v1, true).version());
        assertEquals(List.of(2), registry.versions("user-value", false, false));
        assertEquals(List.of(1), registry.versions("user-value", false, true));
        assertEquals(List.of(), registry.versionsById(1, false));
        assertEquals(1, registry.versionsById(1, true).size());
        // an invalid schema is a 42201 before the subject is looked at, as in Confluent
        assertError(422, 42201, () -> registry.lookup("nobody", RegisterSchemaRequest.of("{"), false));
        // a subject without deleted versions has none to list, and exists (Confluent: [] rather than 40401)
        register("other-value", Schemas.USER_V1);
        assertEquals(List.of(), registry.versions("other-value", false, true));
    }

    @Test
    void shouldDeleteOneVersionSoftThenPermanentlyWithConfluentsCodes() {
        // given
        register("user-value", Schemas.USER_V1);
        register("user-value", Schemas.USER_B_WITH_DEFAULT);
        registry.setSubjectCompatibility("user-value", "FULL");
        // when / then
        assertError(404, 40407, () -> registry.deleteVersion("user-value", "2", true));
        // latest is the newest live version: a permanent delete of it is a delete of a live one
        assertError(404, 40407, () -> registry.deleteVersion("user-value", "latest", true));
        assertEquals(2, registry.deleteVersion("user-value", "latest", false));
        assertError(404, 40406, () -> registry.deleteVersion("user-value", "2", false));
        assertEquals(1, registry.deleteVersion("user-value", "latest", false));
        assertError(404, 40402, () -> registry.deleteVersion("user-value", "latest", false));
        assertError(404, 40402, () -> registry.deleteVersion("user-value", "latest", true));
        assertEquals(2, registry.deleteVersion("user-value", "2", true));
        assertError(404, 40402, () -> registry.deleteVersion("user-value", "2", true));
        assertError(404, 40401, () -> registry.deleteVersion("nobody", "1", false));
        assertError(422, 42202, () -> registry.deleteVersion("user-value", "0", false));
        // the level goes with the subject's last version
        assertEquals(CompatibilityLevel.FULL, registry.subjectCompatibility("user-value", false));
        assertEquals(1, registry.deleteVersion("user-value", "1", true));
        assertError(404, 40408, () -> registry.subjectCompatibility("user-value", false));
        // numbers are not reused while the topic remembers them; here every version is gone
        assertEquals(List.of(), registry.subjects(true, false));
    }

    @Test
    void shouldKeepTheIdsAndVersionsOfSchemasItCannotServeTaken() {
        // given: Confluent's registry wrote a PROTOBUF schema with id 5 as version 1 of a shared subject
        state.apply(new StoreRecord.ForeignVersion("orders-value", 1, 5, false, "a PROTOBUF schema"));
        // when: an Avro schema is registered elsewhere, and under that subject
        int id = register("user-value", Schemas.USER_V1);
        RegistryException refused = assertThrows(RegistryException.class, () -> register("orders-value", Schemas.USER_V1));
        // then
        assertEquals(6, id);
        assertEquals(409, refused.status());
        assertTrue(refused.getMessage().contains("a PROTOBUF schema"), refused.getMessage());
        RegistryException notServed = assertThrows(RegistryException.class, () -> registry.schemaById(5));
        assertEquals(40403, notServed.errorCode());
        assertTrue(notServed.getMessage().contains("a PROTOBUF schema"), notServed.getMessage());
        // the subject and its version are listed, the version not served, latest not an older Avro version
        assertEquals(List.of("orders-value", "user-value"), registry.subjects(false, false));
        assertEquals(List.of(1), registry.versions("orders-value", false, false));
        RegistryException notLatest = assertThrows(RegistryException.class,
                () -> registry.version("orders-value", "latest", false));
        assertEquals(40402, notLatest.errorCode());
        assertTrue(notLatest.getMessage().contains("a PROTOBUF schema"), notLatest.getMessage());
        assertError(422, 42201, () -> registry.deleteVersion("orders-value", "1", false));
        // and once that subject is deleted, an Avro version follows its numbers
        assertEquals(List.of(1), registry.deleteSubject("orders-value", false));
        assertEquals(List.of(1), registry.deleteSubject("orders-value", true));
        register("orders-value", Schemas.USER_V1);
        assertEquals(1, registry.version("orders-value", "latest", false).version());
    }

    @Test
    void shouldTakeTheNewestVersionAsLatestEvenWhenThisRegistryCannotServeIt() {
        // given: Avro version 1, then version 2 with references written by Confluent's registry
        register("user-value", Schemas.USER_V1);
        state.apply(new StoreRecord.ForeignVersion("user-value", 2, 9, false, "an Avro schema with references"));
        RegisterSchemaRequest v1 = RegisterSchemaRequest.of(Schemas.USER_V1);
        // when / then: latest is version 2, never version 1
        assertError(404, 40402, () -> registry.version("user-value", "latest", false));
        assertError(422, 42201, () -> registry.deleteVersion("user-value", "latest", false));
        assertEquals(1, registry.testCompatibility("user-value", "latest", v1, false).size());
        // version 1 named is checked alone, against itself
        assertEquals(List.of(), registry.testCompatibility("user-value", "1", v1, false));
        assertEquals(List.of(1, 2), registry.versions("user-value", false, false));
        assertEquals(1, registry.deleteVersion("user-value", "1", false));
    }

    @Test
    void shouldLookUpTheVersionBeforeParsingTheSchemaAsConfluentDoes() {
        assertError(404, 40402, () -> registry.testCompatibility("nobody", "3", RegisterSchemaRequest.of("{"), true));
        assertEquals(1, registry.testCompatibility("nobody", "latest", RegisterSchemaRequest.of("{"), true).size());
    }

    @Test
    void shouldRefuseAnIdAVersionOutOfTurnAndDataContractsAsConfluentOutsideImportMode() {
        // given
        register("user-value", Schemas.USER_V1);
        // when / then: an id is IMPORT mode's (42205), a version must be the next one, metadata and rules are not kept
        assertError(422, 42205, () -> registry.register("user-value",
                new RegisterSchemaRequest(Schemas.USER_B_WITH_DEFAULT, null, null, 1000, null, null, null)));
        assertError(422, 42201, () -> registry.register("user-value",
                new RegisterSchemaRequest(Schemas.USER_B_WITH_DEFAULT, null, null, null, 7, null, null)));
        assertError(422, 42201, () -> registry.register("user-value",
                new RegisterSchemaRequest(Schemas.USER_B_WITH_DEFAULT, null, null, null, null, java.util.Map.of("tags", 1), null)));
        assertError(422, 42201, () -> registry.register("user-value",
                new RegisterSchemaRequest(Schemas.USER_B_WITH_DEFAULT, null, null, null, null, null, java.util.Map.of())));
        assertEquals(List.of(1), registry.versions("user-value", false, false));
        // a negative id and version 0 (Confluent's RestService.registerSchema defaults), and the next version named,
        // are taken; the schema already registered, with a version named that is not the next one, is not
        registry.register("user-value", new RegisterSchemaRequest(Schemas.USER_B_WITH_DEFAULT, null, null, -1, 0, null, null));
        registry.register("user-value", new RegisterSchemaRequest(Schemas.USER_WITHOUT_A, null, null, null, 3, null, null));
        assertEquals(List.of(1, 2, 3), registry.versions("user-value", false, false));
        assertError(422, 42201, () -> registry.register("user-value",
                new RegisterSchemaRequest(Schemas.USER_WITHOUT_A, null, null, null, 9, null, null)));
    }

    @Test
    void shouldCheckAgainstAStoredSchemaWhoseDefaultIsInvalid() {
        // given: a version written before defaults were validated (a string field with an int default)
        state.apply(new StoreRecord.SchemaPut(new SchemaVersion("user-value", 1, 1, """
                {"type":"record","name":"User","namespace":"test","fields":[{"name":"a","type":"string","default":1}]}""",
                false)));
        // when / then: judged, not a 500
        assertEquals(List.of(), registry.testCompatibility("user-value", null,
                RegisterSchemaRequest.of(Schemas.USER_V1), false));
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
