package dev.eventbank.registry;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.eventbank.registry.CompatibilityLevel.BACKWARD;
import static dev.eventbank.registry.CompatibilityLevel.BACKWARD_TRANSITIVE;
import static dev.eventbank.registry.CompatibilityLevel.FORWARD;
import static dev.eventbank.registry.CompatibilityLevel.FORWARD_TRANSITIVE;
import static dev.eventbank.registry.CompatibilityLevel.FULL;
import static dev.eventbank.registry.CompatibilityLevel.FULL_TRANSITIVE;
import static dev.eventbank.registry.CompatibilityLevel.NONE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The compatibility rules, no Kafka: which level accepts which change. */
class CompatibilityCheckerTest {

    private static final List<SchemaVersion> V1 = List.of(version(1, Schemas.USER_V1));

    @Test
    void shouldRejectAddedFieldWithoutDefaultWhenBackward() {
        // given V1 registered
        // when
        List<String> reasons = check(Schemas.USER_B_WITHOUT_DEFAULT, V1, BACKWARD);
        // then
        assertEquals(List.of(
                "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'b' at path '/fields/1' in the "
                        + "new schema has no default value and is missing in the old schema', additionalInfo:'b'}",
                "{oldSchemaVersion: 1}",
                "{oldSchema: '" + parse(Schemas.USER_V1) + "'}",
                "{compatibility: 'BACKWARD'}"), reasons);
    }

    @Test
    void shouldAcceptAddedFieldWithoutDefaultWhenForwardOrNone() {
        // given V1 registered
        // when / then: old readers simply ignore the new field
        assertTrue(check(Schemas.USER_B_WITHOUT_DEFAULT, V1, FORWARD).isEmpty());
        assertTrue(check(Schemas.USER_B_WITHOUT_DEFAULT, V1, NONE).isEmpty());
    }

    @Test
    void shouldRejectRemovedFieldWithoutDefaultWhenForwardButAcceptWhenBackward() {
        // given V1 registered
        // when
        List<String> forward = check(Schemas.USER_WITHOUT_A, V1, FORWARD);
        List<String> backward = check(Schemas.USER_WITHOUT_A, V1, BACKWARD);
        // then
        assertTrue(forward.get(0).contains("READER_FIELD_MISSING_DEFAULT_VALUE"), forward.toString());
        assertTrue(forward.get(0).contains("in the old schema has no default value and is missing in the new schema"),
                forward.toString());
        assertTrue(backward.isEmpty(), backward.toString());
    }

    @Test
    void shouldAcceptFieldWithDefaultWhenFull() {
        // given V1 registered
        // when / then
        assertTrue(check(Schemas.USER_B_WITH_DEFAULT, V1, FULL).isEmpty());
        assertTrue(check(Schemas.USER_B_WITHOUT_DEFAULT, V1, FULL).get(0).contains("READER_FIELD_MISSING_DEFAULT_VALUE"));
    }

    @Test
    void shouldRejectTypeChangeWhenAnyLevelButNone() {
        // given V1 registered
        for (CompatibilityLevel level : List.of(BACKWARD, FORWARD, FULL, BACKWARD_TRANSITIVE, FORWARD_TRANSITIVE,
                FULL_TRANSITIVE)) {
            // when
            List<String> reasons = check(Schemas.USER_A_AS_INT, V1, level);
            // then
            assertTrue(reasons.get(0).startsWith("{errorType:'TYPE_MISMATCH'"), level + ": " + reasons);
            assertEquals("{compatibility: '" + level + "'}", reasons.get(reasons.size() - 1));
        }
        assertTrue(check(Schemas.USER_A_AS_INT, V1, NONE).isEmpty());
    }

    @Test
    void shouldCheckOnlyLatestWhenNotTransitive() {
        // given V1, then V2 with b defaulted
        List<SchemaVersion> history = List.of(version(1, Schemas.USER_V1), version(2, Schemas.USER_B_WITH_DEFAULT));
        // when: b loses its default; V2 data has b, V1 data does not
        List<String> latestOnly = check(Schemas.USER_B_WITHOUT_DEFAULT, history, BACKWARD);
        List<String> transitive = check(Schemas.USER_B_WITHOUT_DEFAULT, history, BACKWARD_TRANSITIVE);
        // then
        assertTrue(latestOnly.isEmpty(), latestOnly.toString());
        assertTrue(transitive.contains("{oldSchemaVersion: 1}"), transitive.toString());
    }

    @Test
    void shouldAcceptAnythingWhenSubjectHasNoVersions() {
        // given no earlier version
        // when / then
        assertTrue(check(Schemas.USER_A_AS_INT, List.of(), FULL_TRANSITIVE).isEmpty());
    }

    @Test
    void shouldAcceptBankTotalsV2AfterV1WhenFullTransitive() throws java.io.IOException {
        // given: bank-totals-value holds the released v1 (sums decimal(22,4)); v2 widens them to decimal(51,4)
        java.nio.file.Path history = java.nio.file.Path.of("../schemas/src/main/avro/history/BankTotals");
        String v1 = java.nio.file.Files.readString(history.resolve("v1.avsc"));
        String v2 = java.nio.file.Files.readString(history.resolve("v2.avsc"));

        // when / then: the projection's serializer registers v2 under the subject's FULL_TRANSITIVE by itself (Avro's
        // resolution reads bytes as bytes; the decimal's precision is not part of the check)
        assertTrue(check(v2, List.of(new SchemaVersion("bank-totals-value", 1, 1, parse(v1).toString(), false)),
                FULL_TRANSITIVE).isEmpty());
    }

    @Test
    void shouldParseLevelsCaseInsensitivelyAndRejectOthersWith42203() {
        // given / when / then
        assertEquals(FULL_TRANSITIVE, CompatibilityLevel.parse("full_transitive"));
        RegistryException invalid = assertThrows(RegistryException.class, () -> CompatibilityLevel.parse("SIDEWAYS"));
        assertEquals(422, invalid.status());
        assertEquals(42203, invalid.errorCode());
    }

    private static List<String> check(String candidate, List<SchemaVersion> earlier, CompatibilityLevel level) {
        return CompatibilityChecker.check(parse(candidate), earlier, level);
    }

    private static SchemaVersion version(int number, String schema) {
        return new SchemaVersion("user-value", number, number, parse(schema).toString(), false);
    }

    private static Schema parse(String schema) {
        return new Schema.Parser().parse(schema);
    }
}
