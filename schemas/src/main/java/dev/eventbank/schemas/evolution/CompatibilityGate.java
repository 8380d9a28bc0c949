package dev.eventbank.schemas.evolution;

import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The build-time gate: a current schema must stay FULL_TRANSITIVE compatible with every released version of it
 * (the files in {@code history/}): it reads what each of them wrote (backward: our replays from the start of the
 * log) and each of them reads what it writes (forward: other teams' consumers on an older schema).
 *
 * <p>Avro's own checker reports a record inside a union only as a "missing union branch"; this gate goes down
 * into records, unions, arrays and maps itself, so each problem names the field, as
 * {@code payload.MoneyDeposited.reference}. Pure: no I/O.
 *
 * <p>Avro's checker also ignores logical types (as does Confluent's registry, which uses it): {@code decimal(22,4)}
 * to {@code decimal(22,2)}, or {@code timestamp-millis} to {@code timestamp-micros}, passes it, while a Java reader
 * applies its own scale or unit to the writer's bytes (AVRO-2078), so amounts come out a hundred times off. This gate
 * refuses any change of a field's logical type (added, removed, renamed, another decimal scale); a decimal's
 * precision may change at the same scale (docs/schema-evolution.md, "bank totals v2").
 */
public final class CompatibilityGate {

    private CompatibilityGate() {
    }

    /**
     * The problems of {@code current} against {@code releases} (v1 first); empty when it may be released.
     *
     * @param name the schema's name for the messages, e.g. {@code BankAccountEvent}
     */
    public static List<String> check(String name, Schema current, List<Schema> releases) {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < releases.size(); i++) {
            Schema release = releases.get(i);
            String version = "v" + (i + 1);
            List<String> backward = new ArrayList<>();
            compare(current, release, "", backward);
            logicalTypes(current, release, "", backward, new java.util.HashSet<>());
            backward.forEach(problem -> problems.add(name + ": the current schema cannot read data written with "
                    + version + " (backward): " + problem));
            List<String> forward = new ArrayList<>();
            compare(release, current, "", forward);
            logicalTypes(release, current, "", forward, new java.util.HashSet<>());
            forward.forEach(problem -> problems.add(name + ": a consumer on " + version + " cannot read data written "
                    + "with the current schema (forward): " + problem));
        }
        return problems;
    }

    private static void compare(Schema reader, Schema writer, String path, List<String> problems) {
        if (compatible(reader, writer)) {
            return;
        }
        int before = problems.size();
        if (reader.getType() == Schema.Type.RECORD && writer.getType() == Schema.Type.RECORD) {
            for (Schema.Field field : reader.getFields()) {
                Schema.Field written = writer.getField(field.name());
                if (written == null) {
                    written = field.aliases().stream().map(writer::getField).filter(f -> f != null).findFirst().orElse(null);
                }
                String fieldPath = join(path, field.name());
                if (written == null) {
                    if (!field.hasDefaultValue()) {
                        problems.add("field '" + fieldPath + "' has no default value and is missing in the writer's schema");
                    }
                } else {
                    compare(field.schema(), written.schema(), fieldPath, problems);
                }
            }
        } else if (writer.getType() == Schema.Type.UNION) {
            for (Schema branch : writer.getTypes()) {
                Schema match = reader.getType() == Schema.Type.UNION ? branchFor(reader, branch) : reader;
                String branchPath = isNamed(branch) ? join(path, branch.getName()) : path;
                if (match == null) {
                    problems.add("field '" + path + "' lost the union branch " + label(branch)
                            + " that the writer's schema has");
                } else {
                    compare(match, branch, branchPath, problems);
                }
            }
        } else if (reader.getType() == Schema.Type.UNION) {
            Schema match = branchFor(reader, writer);
            if (match == null) {
                problems.add("field '" + path + "' is a union without a branch for the writer's " + label(writer));
            } else {
                compare(match, writer, isNamed(writer) ? join(path, writer.getName()) : path, problems);
            }
        } else if (reader.getType() == Schema.Type.ARRAY && writer.getType() == Schema.Type.ARRAY) {
            compare(reader.getElementType(), writer.getElementType(), path + "[]", problems);
        } else if (reader.getType() == Schema.Type.MAP && writer.getType() == Schema.Type.MAP) {
            compare(reader.getValueType(), writer.getValueType(), path + "{}", problems);
        }
        if (problems.size() == before) {
            // a leaf (type, enum symbols, fixed size, name): Avro's words
            String details = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getResult()
                    .getIncompatibilities().stream().map(Incompatibility::getMessage).collect(Collectors.joining("; "));
            problems.add("field '" + path + "': " + details);
        }
    }

    /**
     * Walks the fields, union branches, array elements and map values {@code reader} and {@code writer} share, and adds
     * a problem for each leaf whose logical type differs. Structural differences are {@link #compare}'s.
     */
    private static void logicalTypes(Schema reader, Schema writer, String path, List<String> problems,
                                     java.util.Set<String> recordsSeen) {
        if (reader.getType() == Schema.Type.RECORD && writer.getType() == Schema.Type.RECORD) {
            // a record that refers to itself is walked once
            if (!recordsSeen.add(reader.getFullName() + "\u0000" + writer.getFullName())) {
                return;
            }
            for (Schema.Field field : reader.getFields()) {
                Schema.Field written = writer.getField(field.name());
                if (written == null) {
                    written = field.aliases().stream().map(writer::getField).filter(f -> f != null).findFirst().orElse(null);
                }
                if (written != null) {
                    logicalTypes(field.schema(), written.schema(), join(path, field.name()), problems, recordsSeen);
                }
            }
        } else if (writer.getType() == Schema.Type.UNION) {
            for (Schema branch : writer.getTypes()) {
                Schema match = reader.getType() == Schema.Type.UNION ? branchFor(reader, branch) : reader;
                if (match != null) {
                    logicalTypes(match, branch, isNamed(branch) ? join(path, branch.getName()) : path, problems, recordsSeen);
                }
            }
        } else if (reader.getType() == Schema.Type.UNION) {
            Schema match = branchFor(reader, writer);
            if (match != null) {
                logicalTypes(match, writer, isNamed(writer) ? join(path, writer.getName()) : path, problems, recordsSeen);
            }
        } else if (reader.getType() == Schema.Type.ARRAY && writer.getType() == Schema.Type.ARRAY) {
            logicalTypes(reader.getElementType(), writer.getElementType(), path + "[]", problems, recordsSeen);
        } else if (reader.getType() == Schema.Type.MAP && writer.getType() == Schema.Type.MAP) {
            logicalTypes(reader.getValueType(), writer.getValueType(), path + "{}", problems, recordsSeen);
        } else if (reader.getType() == writer.getType()) {
            String readerType = logicalLabel(reader);
            String writerType = logicalLabel(writer);
            if (!java.util.Objects.equals(readerType, writerType)) {
                boolean decimals = reader.getLogicalType() instanceof LogicalTypes.Decimal
                        && writer.getLogicalType() instanceof LogicalTypes.Decimal;
                LogicalTypes.Decimal read = decimals ? (LogicalTypes.Decimal) reader.getLogicalType() : null;
                LogicalTypes.Decimal written = decimals ? (LogicalTypes.Decimal) writer.getLogicalType() : null;
                if (decimals && read.getScale() == written.getScale()) {
                    // the same unscaled integer at the same scale: Java's readers do not check the precision (see
                    // docs/schema-evolution.md, BankTotals v2, for what a widened precision means to other readers)
                    return;
                }
                problems.add("field '" + path + "' is " + (writerType == null ? "a plain " + writer.getType().getName()
                        : writerType) + " in the writer's schema and " + (readerType == null ? "a plain "
                        + reader.getType().getName() : readerType) + " in the reader's: a reader applies its own "
                        + "logical type to the writer's value (AVRO-2078)");
            }
        }
    }

    /** A leaf's logical type with its parameters, as {@code decimal(22,4)}; null for none. */
    private static String logicalLabel(Schema schema) {
        LogicalType logical = schema.getLogicalType();
        if (logical == null) {
            return null;
        }
        return logical instanceof LogicalTypes.Decimal decimal
                ? "decimal(" + decimal.getPrecision() + "," + decimal.getScale() + ")" : logical.getName();
    }

    private static boolean compatible(Schema reader, Schema writer) {
        return SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType()
                == SchemaCompatibilityType.COMPATIBLE;
    }

    /** The reader union's branch for a writer type: same name for named types, else the first compatible one. */
    private static Schema branchFor(Schema union, Schema writer) {
        if (isNamed(writer)) {
            for (Schema branch : union.getTypes()) {
                if (isNamed(branch) && branch.getFullName().equals(writer.getFullName())) {
                    return branch;
                }
            }
        }
        for (Schema branch : union.getTypes()) {
            if (branch.getType() == writer.getType() && !isNamed(branch) || compatible(branch, writer)) {
                return branch;
            }
        }
        return null;
    }

    private static boolean isNamed(Schema schema) {
        return switch (schema.getType()) {
            case RECORD, ENUM, FIXED -> true;
            default -> false;
        };
    }

    private static String label(Schema schema) {
        return isNamed(schema) ? schema.getFullName() : schema.getType().getName();
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }
}
