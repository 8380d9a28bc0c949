package dev.eventbank.schemas.serde;

import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Writes a specific Avro record in Confluent's wire format, registering its schema under the topic's
 * subject (TopicNameStrategy: {@code <topic>-value} or {@code <topic>-key}) on first use.
 *
 * <p>Before its first registration under a subject it gives the subject the level {@value #SUBJECT_COMPATIBILITY}
 * unless the subject has a level of its own: the level the build's gate holds every schema to (events are read
 * for ever by replays and by other teams on older schemas), so the registry refuses what the gate would, whatever
 * its global default (Confluent's and ours: BACKWARD).
 *
 * <p>If the registry rejects the schema (incompatible, 409), serialization fails and nothing is produced.
 */
public final class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {

    /** The compatibility level of every subject this serializer registers a schema under. */
    public static final String SUBJECT_COMPATIBILITY = "FULL_TRANSITIVE";

    private final SchemaRegistryClient registry;
    private final boolean isKey;
    private final Map<String, Integer> idsBySubject = new java.util.concurrent.ConcurrentHashMap<>();
    // a datum writer caches its resolved schema tree, so one per schema rather than one per record
    private final Map<Schema, SpecificDatumWriter<T>> writersBySchema = new java.util.concurrent.ConcurrentHashMap<>();

    public AvroSerializer(SchemaRegistryClient registry, boolean isKey) {
        this.registry = registry;
        this.isKey = isKey;
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        String subject = topic + (isKey ? "-key" : "-value");
        int schemaId;
        try {
            schemaId = idsBySubject.computeIfAbsent(subject, s -> {
                registry.ensureSubjectCompatibility(s, SUBJECT_COMPATIBILITY);
                return registry.register(s, record.getSchema());
            });
        } catch (SchemaRegistryException e) {
            throw new SerializationException("cannot register schema " + record.getSchema().getFullName()
                    + " under subject " + subject + ": " + e.getMessage(), e);
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(128);
            out.write(ConfluentWireFormat.MAGIC_BYTE);
            out.write(ByteBuffer.allocate(4).putInt(schemaId).array());
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            writersBySchema.computeIfAbsent(record.getSchema(),
                            schema -> new SpecificDatumWriter<>(schema, SpecificData.getForSchema(schema)))
                    .write(record, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot serialize " + record.getSchema().getFullName()
                    + " for topic " + topic + ": " + e.getMessage(), e);
        }
    }
}
