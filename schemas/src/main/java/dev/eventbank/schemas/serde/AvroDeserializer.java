package dev.eventbank.schemas.serde;

import dev.eventbank.schemas.evolution.UpcasterChain;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads Confluent wire-format bytes into a specific Avro record: the writer's schema comes from the
 * registry by the id in the header, the reader's schema is the generated class's, and Avro's schema
 * resolution bridges the two (new fields get their defaults, removed fields are skipped).
 *
 * <p>Upcasting: what resolution cannot do (a derived, renamed or restructured field) is done by the reader's
 * {@link UpcasterChain} (for the event envelope, {@code EventUpcasters}), between decoding with the writer's schema
 * and building the current record. Whether a writer schema needs it is decided once per schema id: data that needs
 * no upcaster takes the plain resolving path and pays nothing for the chain.
 *
 * <p>Bytes that are not in the wire format, or whose schema cannot be resolved to the reader's, fail
 * with a {@link SerializationException} that says why; callers route such records to a dead-letter topic.
 */
public final class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {

    private final SchemaRegistryClient registry;
    private final Schema readerSchema;
    private final UpcasterChain upcasters;
    private final Map<Integer, Reader<T>> readersByWriterId = new ConcurrentHashMap<>();

    /** A deserializer that runs the upcasters registered for {@code readerSchema} ({@link UpcasterChain#forReader}). */
    public AvroDeserializer(SchemaRegistryClient registry, Schema readerSchema) {
        this(registry, readerSchema, UpcasterChain.forReader(readerSchema));
    }

    public AvroDeserializer(SchemaRegistryClient registry, Schema readerSchema, UpcasterChain upcasters) {
        this.registry = registry;
        this.readerSchema = readerSchema;
        this.upcasters = upcasters;
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
        Reader<T> reader;
        try {
            reader = readersByWriterId.computeIfAbsent(schemaId, this::readerFor);
        } catch (SchemaRegistryException e) {
            throw new SerializationException("cannot fetch writer schema " + schemaId + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new SerializationException("cannot plan the upcasting of " + readerSchema.getFullName()
                    + " written with schema id " + schemaId + ": " + e.getMessage(), e);
        }
        try {
            return reader.read(data, ConfluentWireFormat.HEADER_SIZE, data.length - ConfluentWireFormat.HEADER_SIZE);
        } catch (Exception e) {
            throw new SerializationException("cannot decode " + readerSchema.getFullName() + " written with schema id "
                    + schemaId + ": " + e, e);
        }
    }

    private Reader<T> readerFor(int schemaId) {
        Schema writerSchema = registry.schemaById(schemaId);
        SpecificData model = SpecificData.getForSchema(readerSchema);
        UpcasterChain.Plan plan = upcasters.plan(writerSchema);
        if (plan == null) {
            SpecificDatumReader<T> resolving = new SpecificDatumReader<>(writerSchema, readerSchema, model);
            return (data, offset, length) -> resolving.read(null, decoder(data, offset, length));
        }
        SpecificDatumReader<T> resolving = new SpecificDatumReader<>(plan.intermediateSchema(), readerSchema, model);
        return (data, offset, length) -> {
            byte[] upcast = plan.upcast(data, offset, length);
            return resolving.read(null, decoder(upcast, 0, upcast.length));
        };
    }

    private static BinaryDecoder decoder(byte[] data, int offset, int length) {
        return DecoderFactory.get().binaryDecoder(data, offset, length, null);
    }

    /** Reads the Avro body of one record: resolving only, or upcasting first. */
    @FunctionalInterface
    private interface Reader<T> {
        T read(byte[] data, int offset, int length) throws IOException;
    }
}
