package dev.eventbank.schemas.evolution;

import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.schemas.serde.SchemaRegistryException;
import org.apache.avro.Schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The committed v1 wire-format fixture (src/test/resources/fixtures) and a registry that knows its schema ids. */
final class Fixtures {

    record Record(String key, byte[] value) {
    }

    private Fixtures() {
    }

    static List<Record> v1Events() {
        List<Record> records = new ArrayList<>();
        for (String line : lines("/fixtures/bank-account-events-v1.txt")) {
            String[] parts = line.split(" ");
            records.add(new Record(parts[0], Base64.getDecoder().decode(parts[1])));
        }
        return records;
    }

    /** A registry answering the fixture's schema ids with the released schemas they were written with. */
    static SchemaRegistryClient v1Registry() {
        Map<Integer, Schema> schemas = new HashMap<>();
        for (String line : lines("/fixtures/bank-account-events-v1.schemas")) {
            String[] parts = line.split("=");
            String path = "/dev/eventbank/schemas/history/" + parts[1];
            try (InputStream in = Fixtures.class.getResourceAsStream(path)) {
                schemas.put(Integer.parseInt(parts[0]), new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException(path, e);
            }
        }
        return new SchemaRegistryClient() {
            @Override
            public int register(String subject, Schema schema) {
                throw new UnsupportedOperationException("the fixture registry is read-only");
            }

            @Override
            public void ensureSubjectCompatibility(String subject, String level) {
                throw new UnsupportedOperationException("the fixture registry is read-only");
            }

            @Override
            public Schema schemaById(int id) {
                Schema schema = schemas.get(id);
                if (schema == null) {
                    throw new SchemaRegistryException("Schema " + id + " not found", 404, 40403);
                }
                return schema;
            }
        };
    }

    private static List<String> lines(String resource) {
        try (InputStream in = Fixtures.class.getResourceAsStream(resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(line -> !line.isBlank() && !line.startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(resource, e);
        }
    }
}
