package dev.eventbank.schemas.evolution;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The build's schema gate: {@code mvn verify} fails when a schema in {@code src/main/avro} is not FULL_TRANSITIVE
 * compatible with every released version of it in {@code src/main/avro/history/<Name>/v<N>.avsc}, naming the field.
 * Releasing a schema version means copying it (as {@code Schema.toString(true)} writes it) into history.
 */
class CompatibilityGateTest {

    private static final Path AVRO = Path.of("src/main/avro");
    private static final Path HISTORY = AVRO.resolve("history");

    @Test
    void shouldKeepEveryCurrentSchemaCompatibleWithEveryReleasedVersion() throws IOException {
        // given
        Map<String, Schema> current = currentSchemas();
        List<String> problems = new ArrayList<>();
        try (Stream<Path> released = Files.list(HISTORY)) {
            for (Path dir : released.filter(Files::isDirectory).sorted().toList()) {
                String name = dir.getFileName().toString();
                Schema schema = current.get(name);
                assertNotNull(schema, "history/" + name + " holds released versions of a schema that src/main/avro no "
                        + "longer has: a released schema must not be removed (readers of old data need it)");
                // when
                problems.addAll(CompatibilityGate.check(name, schema, releases(dir)));
            }
        }
        // then
        assertTrue(problems.isEmpty(), "incompatible schema change (see docs/schema-evolution.md):\n  "
                + String.join("\n  ", problems));
    }

    @Test
    void shouldNameTheFieldWhenACurrentSchemaIsIncompatible() throws IOException {
        // given a deliberately broken envelope: a required field added, a type changed
        Schema broken = new Schema.Parser().parse(Path.of("src/test/resources/gate/BankAccountEvent-incompatible.avsc").toFile());
        // when
        List<String> problems = CompatibilityGate.check("BankAccountEvent", broken, releases(HISTORY.resolve("BankAccountEvent")));
        // then
        String all = String.join("\n", problems);
        assertTrue(all.contains("BankAccountEvent: the current schema cannot read data written with v1 (backward): "
                + "field 'payload.MoneyDeposited.reference' has no default value and is missing in the writer's schema"), all);
        assertTrue(all.contains("field 'payload.MoneyWithdrawn.amount'"), all);
        assertTrue(all.contains("(forward)"), all);
    }

    @Test
    void shouldAcceptAddedOptionalFieldsWhenReleasesAreOlder() {
        // given the released v1 of the envelope and the current one (v2 payloads with defaulted fields)
        Schema current = dev.eventbank.schemas.events.BankAccountEvent.getClassSchema();
        // when
        List<String> problems = CompatibilityGate.check("BankAccountEvent", current, SchemaHistory.releases("BankAccountEvent"));
        // then
        assertEquals(List.of(), problems);
    }

    @Test
    void shouldRefuseAChangeOfALogicalTypeThatAvrosCheckerLetsThrough() {
        // given a money field whose scale changes, a time whose unit changes, a plain long that becomes a time
        Schema released = record("\"amount\":{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":22,\"scale\":4}",
                "\"at\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}",
                "\"fee\":[\"null\",{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":10,\"scale\":2}]",
                "\"count\":\"long\"");
        Schema changed = record("\"amount\":{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":22,\"scale\":2}",
                "\"at\":{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}",
                "\"fee\":[\"null\",{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":10,\"scale\":4}]",
                "\"count\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}");
        Schema widened = record("\"amount\":{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":51,\"scale\":4}",
                "\"at\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}",
                "\"fee\":[\"null\",{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":10,\"scale\":2}]",
                "\"count\":\"long\"");

        // when
        String problems = String.join("\n", CompatibilityGate.check("Fee", changed, List.of(released)));

        // then: each change, both ways
        assertTrue(problems.contains("(backward): field 'amount' is decimal(22,4) in the writer's schema and "
                + "decimal(22,2) in the reader's"), problems);
        assertTrue(problems.contains("(forward): field 'amount' is decimal(22,2) in the writer's schema and "
                + "decimal(22,4) in the reader's"), problems);
        assertTrue(problems.contains("field 'at' is timestamp-millis in the writer's schema and timestamp-micros"), problems);
        assertTrue(problems.contains("field 'fee' is decimal(10,2) in the writer's schema and decimal(10,4)"), problems);
        assertTrue(problems.contains("field 'count' is a plain long in the writer's schema and timestamp-millis"), problems);
        // a precision that changes at the same scale is the same value to a reader (BankTotals v2)
        assertEquals(List.of(), CompatibilityGate.check("Fee", widened, List.of(released)));
    }

    @Test
    void shouldCheckARecordThatRefersToItself() {
        // given a linked list whose amount changes its scale
        String node = "{\"type\":\"record\",\"name\":\"Node\",\"fields\":[{\"name\":\"amount\",\"type\":{\"type\":"
                + "\"bytes\",\"logicalType\":\"decimal\",\"precision\":22,\"scale\":%d}},{\"name\":\"next\",\"type\":"
                + "[\"null\",\"Node\"],\"default\":null}]}";

        // when
        List<String> problems = CompatibilityGate.check("Node", new Schema.Parser().parse(String.format(node, 2)),
                List.of(new Schema.Parser().parse(String.format(node, 4))));

        // then
        assertTrue(String.join("\n", problems).contains("field 'amount' is decimal(22,4)"), problems.toString());
    }

    private static Schema record(String... fields) {
        return new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Fee\",\"fields\":["
                + java.util.Arrays.stream(fields).map(field -> {
                    int colon = field.indexOf(':');
                    return "{\"name\":" + field.substring(0, colon) + ",\"type\":" + field.substring(colon + 1) + "}";
                }).collect(java.util.stream.Collectors.joining(",")) + "]}");
    }

    /** The top-level schemas of src/main/avro, parsed as the avro-maven-plugin does: imports first. */
    private static Map<String, Schema> currentSchemas() throws IOException {
        Schema.Parser parser = new Schema.Parser();
        Map<String, Schema> schemas = new LinkedHashMap<>();
        for (Path dir : List.of(AVRO.resolve("imports"), AVRO)) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".avsc")).sorted().toList()) {
                    Schema schema = parser.parse(file.toFile());
                    schemas.put(schema.getName(), schema);
                }
            }
        }
        return schemas;
    }

    private static List<Schema> releases(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> versions = files.filter(f -> f.getFileName().toString().matches("v\\d+\\.avsc"))
                    .sorted(Comparator.comparingInt(f -> Integer.parseInt(f.getFileName().toString().replaceAll("\\D", ""))))
                    .toList();
            List<Schema> schemas = new ArrayList<>();
            for (int i = 0; i < versions.size(); i++) {
                assertEquals("v" + (i + 1) + ".avsc", versions.get(i).getFileName().toString(),
                        dir + ": versions must run v1, v2, ... without gaps");
                schemas.add(new Schema.Parser().parse(versions.get(i).toFile()));
            }
            return schemas;
        }
    }
}
