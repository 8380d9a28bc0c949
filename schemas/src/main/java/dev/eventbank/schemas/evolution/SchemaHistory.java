package dev.eventbank.schemas.evolution;

import org.apache.avro.Schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The released versions of our top-level schemas, as kept in {@code schemas/src/main/avro/history/<Name>/v<N>.avsc}
 * (on the class path under {@code dev/eventbank/schemas/history/}), and the version of a record.
 *
 * <p>A record's version is its {@value #VERSION_PROPERTY} property (absent: 1). The property travels with the
 * schema into the registry, so a reader learns the version of an event from the writer schema it fetches by id;
 * nothing is added to the records themselves.
 *
 * <p>Limits: history files are parsed once per JVM and must be self-contained (every named type inlined), as
 * {@code Schema.toString()} writes them.
 */
public final class SchemaHistory {

    public static final String VERSION_PROPERTY = "eventbank.version";
    private static final String ROOT = "dev/eventbank/schemas/history/";
    private static final Map<String, List<Schema>> RELEASES = new ConcurrentHashMap<>();

    private SchemaHistory() {
    }

    /** The version of a record schema: its {@value #VERSION_PROPERTY} property, 1 when it has none. */
    public static int versionOf(Schema record) {
        Object version = record.getObjectProp(VERSION_PROPERTY);
        if (version == null) {
            return 1;
        }
        if (version instanceof Number number) {
            return number.intValue();
        }
        throw new IllegalArgumentException(record.getFullName() + " has a non-numeric " + VERSION_PROPERTY + ": " + version);
    }

    /** The released versions of the top-level schema {@code name} (e.g. {@code BankAccountEvent}), v1 first. */
    public static List<Schema> releases(String name) {
        return RELEASES.computeIfAbsent(name, SchemaHistory::load);
    }

    /**
     * The schema of record {@code recordName} at {@code version}: from {@code current} (the reader's top-level
     * schema) when that is the version it holds, else from the releases of {@code current}.
     */
    public static Optional<Schema> recordAt(Schema current, String recordName, int version) {
        Schema inCurrent = namedRecords(current).get(recordName);
        if (inCurrent != null && versionOf(inCurrent) == version) {
            return Optional.of(inCurrent);
        }
        for (Schema release : releases(current.getName())) {
            Schema record = namedRecords(release).get(recordName);
            if (record != null && versionOf(record) == version) {
                return Optional.of(record);
            }
        }
        return Optional.empty();
    }

    /** Every record defined in {@code schema}, by full name. */
    public static Map<String, Schema> namedRecords(Schema schema) {
        Map<String, Schema> records = new LinkedHashMap<>();
        collect(schema, records);
        return records;
    }

    private static void collect(Schema schema, Map<String, Schema> records) {
        switch (schema.getType()) {
            case RECORD -> {
                if (records.putIfAbsent(schema.getFullName(), schema) == null) {
                    schema.getFields().forEach(field -> collect(field.schema(), records));
                }
            }
            case UNION -> schema.getTypes().forEach(type -> collect(type, records));
            case ARRAY -> collect(schema.getElementType(), records);
            case MAP -> collect(schema.getValueType(), records);
            default -> {
            }
        }
    }

    private static List<Schema> load(String name) {
        List<Schema> releases = new ArrayList<>();
        ClassLoader loader = SchemaHistory.class.getClassLoader();
        for (int version = 1; ; version++) {
            String path = ROOT + name + "/v" + version + ".avsc";
            try (InputStream in = loader.getResourceAsStream(path)) {
                if (in == null) {
                    return List.copyOf(releases);
                }
                releases.add(new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + path, e);
            }
        }
    }
}
