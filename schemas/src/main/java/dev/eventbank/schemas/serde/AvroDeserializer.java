package dev.eventbank.schemas.serde;

import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads Confluent wire-format bytes into a specific Avro record: the writer's schema comes from the
 * registry by the id in the header, the reader's schema is the generated class's, and Avro's schema
 * resolution bridges the two (new fields get their defaults, removed fields are skipped).
 *
 * <p>Bytes that are not in the wire format, or whose schema cannot be resolved to the reader's, fail
 * with a {@link SerializationException} that says why; callers route such records to a dead-letter topic.
 */
public final class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {

    private final SchemaRegistryClient registry;
    private final Schema readerSchema;
    private final Map<Integer, SpecificDatumReader<T>> readersByWriterId = new ConcurrentHashMap<>();

    public AvroDeserializer(SchemaRegistryClient registry, Schema readerSchema) {
        this.registry = registry;
        this.readerSchema = readerSchema;
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length < ConfluentWireFormat.HEADER_SIZE || data[0] != ConfluentWireFormat.MAGIC_BYTE) {
            throw new SerializationException("not Confluent wire format: expected magic byte 0 and a 4-byte schema id, got "
                    + data.length + " bytes" + (data.length > 0 ? " starting with " + data[0] : ""));
        }
        int schemaId = ByteBuffer.wrap(data, 1, 4).getInt();
        SpecificDatumReader<T> reader;
        try {
            reader = readersByWriterId.computeIfAbsent(schemaId,
                    id -> new SpecificDatumReader<>(registry.schemaById(id), readerSchema,
                            SpecificData.getForSchema(readerSchema)));
        } catch (SchemaRegistryException e) {
            throw new SerializationException("cannot fetch writer schema " + schemaId + ": " + e.getMessage(), e);
        }
        try {
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, ConfluentWireFormat.HEADER_SIZE,
                    data.length - ConfluentWireFormat.HEADER_SIZE, null);
            return reader.read(null, decoder);
        } catch (Exception e) {
            throw new SerializationException("cannot decode " + readerSchema.getFullName() + " written with schema id "
                    + schemaId + ": " + e, e);
        }
    }
}
