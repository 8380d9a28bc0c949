package dev.eventbank.registry;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Decides whether a new schema may follow the earlier versions of a subject, with Avro's own
 * {@link SchemaCompatibility#checkReaderWriterCompatibility} as the judge, and words the verdict the way
 * Confluent's registry does (the {@code details} of its 409 and the {@code messages} of a verbose compatibility
 * check), so people can compare answers from both registries.
 *
 * <p>Pure: no Kafka, no state; the versions to compare against are passed in.
 *
 * <p>Limits: the first incompatible earlier version is reported, not all of them (Confluent does the same);
 * the descriptions are ours, modelled on Confluent's.
 */
public final class CompatibilityChecker {

    private CompatibilityChecker() {
    }

    /**
     * Checks {@code candidate} against {@code earlier} (oldest first) under {@code level}: only the latest
     * unless the level is transitive.
     *
     * @return the reasons it is incompatible; empty when it is compatible
     */
    public static List<String> check(Schema candidate, List<SchemaVersion> earlier, CompatibilityLevel level) {
        if (level == CompatibilityLevel.NONE || earlier.isEmpty()) {
            return List.of();
        }
        List<SchemaVersion> targets = new ArrayList<>(earlier);
        Collections.reverse(targets); // newest first, as Confluent reports the most recent conflict
        if (!level.transitive()) {
            targets = targets.subList(0, 1);
        }
        for (SchemaVersion target : targets) {
            Schema old;
            try {
                old = stored(target.schema());
            } catch (RuntimeException unreadable) {
                // not judged as compatible unread: registration refuses (409) and a check says why
                return List.of("version " + target.version() + " of the subject cannot be read by this registry: "
                        + unreadable.getMessage());
            }
            List<String> messages = new ArrayList<>();
            if (level.backward()) {
                // the new schema must read what the old one wrote
                describe(SchemaCompatibility.checkReaderWriterCompatibility(candidate, old).getResult()
                        .getIncompatibilities(), "new", "old", messages);
            }
            if (level.forward()) {
                // the old schema must read what the new one writes
                describe(SchemaCompatibility.checkReaderWriterCompatibility(old, candidate).getResult()
                        .getIncompatibilities(), "old", "new", messages);
            }
            if (!messages.isEmpty()) {
                messages.add("{oldSchemaVersion: " + target.version() + "}");
                messages.add("{oldSchema: '" + target.schema() + "'}");
                messages.add("{compatibility: '" + level.name() + "'}");
                return List.copyOf(messages);
            }
        }
        return List.of();
    }

    /**
     * A stored schema, parsed as Confluent's registry parses stored ones: without validating defaults, since a
     * version registered before defaults were validated (Confluent's older releases, Avro before 1.9) is still
     * what its data was written with.
     */
    static Schema stored(String schema) {
        return new Schema.Parser().setValidateDefaults(false).parse(schema);
    }

    private static void describe(List<Incompatibility> incompatibilities, String reader, String writer,
                                 List<String> messages) {
        for (Incompatibility incompatibility : incompatibilities) {
            String path = incompatibility.getLocation();
            String info = incompatibility.getMessage();
            String description = switch (incompatibility.getType()) {
                case READER_FIELD_MISSING_DEFAULT_VALUE -> "The field '" + info + "' at path '" + path + "' in the "
                        + reader + " schema has no default value and is missing in the " + writer + " schema";
                case TYPE_MISMATCH -> "The type (path '" + path + "') of a field in the " + reader
                        + " schema does not match with the " + writer + " schema";
                case NAME_MISMATCH -> "The name of the schema has changed (path '" + path + "')";
                case MISSING_ENUM_SYMBOLS -> "The " + reader + " schema is missing enum symbols '" + info
                        + "' at path '" + path + "' in the " + writer + " schema";
                case MISSING_UNION_BRANCH -> "The " + reader + " schema is missing a type inside a union field at path '"
                        + path + "' in the " + writer + " schema";
                case FIXED_SIZE_MISMATCH -> "The size of FIXED type field at path '" + path + "' in the " + reader
                        + " schema does not match with the " + writer + " schema";
            };
            messages.add("{errorType:'" + incompatibility.getType().name() + "', description:'" + description
                    + "', additionalInfo:'" + info + "'}");
        }
    }
}
