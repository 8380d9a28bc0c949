package dev.eventbank.schemas.evolution;

import dev.eventbank.schemas.events.BankAccountEvent;
import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The upcasters of one reader schema: turns data written with any older version of its records into the current
 * version, so code built on the generated classes only ever sees current events.
 *
 * <p>How it is used ({@code AvroDeserializer}): once per writer schema id, {@link #plan} decides whether any
 * registered upcaster lies between a writer record's version and the reader's. If none does, there is no plan and
 * the bytes are read with Avro's schema resolution alone, exactly as without upcasters (no cost). Otherwise the
 * plan decodes the bytes generically with the writer schema, runs each record that needs it through its steps
 * (version n to n + 1, up to the current one; a step without an upcaster just applies Avro's rules), and
 * re-encodes the result with an intermediate schema (the writer's, with those records at their current version),
 * which Avro then resolves to the reader's schema as usual.
 *
 * <p>Intermediate versions (n + 1 below the current one) are taken from {@link SchemaHistory}. Limits: upcasters
 * apply to records (event payloads, or the envelope itself), not to enums or fixed types; a writer newer than the
 * reader is left to Avro's resolution (forward compatibility).
 */
public final class UpcasterChain {

    /** Registered chains, by reader schema full name. Readers of other schemas get {@link #none()}. */
    private static final Map<String, List<Upcaster>> REGISTERED = Map.of(
            BankAccountEvent.getClassSchema().getFullName(), EventUpcasters.ALL);
    private static final UpcasterChain NONE = new UpcasterChain(null, List.of());

    private final Schema readerSchema;
    private final Map<String, Map<Integer, Upcaster>> upcasters = new HashMap<>();

    public UpcasterChain(Schema readerSchema, List<Upcaster> upcasters) {
        this.readerSchema = readerSchema;
        for (Upcaster upcaster : upcasters) {
            if (this.upcasters.computeIfAbsent(upcaster.recordName(), name -> new HashMap<>())
                    .put(upcaster.fromVersion(), upcaster) != null) {
                throw new IllegalArgumentException("two upcasters for " + upcaster.recordName() + " from version "
                        + upcaster.fromVersion());
            }
        }
    }

    /** The registered chain for {@code readerSchema} (the event envelope's), or one that never upcasts. */
    public static UpcasterChain forReader(Schema readerSchema) {
        List<Upcaster> registered = REGISTERED.get(readerSchema.getFullName());
        return registered == null ? NONE : new UpcasterChain(readerSchema, registered);
    }

    public static UpcasterChain none() {
        return NONE;
    }

    /** How to upcast data written with {@code writerSchema}; null when no upcaster applies to it. */
    public Plan plan(Schema writerSchema) {
        if (upcasters.isEmpty()) {
            return null;
        }
        Map<String, Schema> readerRecords = SchemaHistory.namedRecords(readerSchema);
        Map<String, List<Target>> chains = new LinkedHashMap<>();
        for (Schema writerRecord : SchemaHistory.namedRecords(writerSchema).values()) {
            String name = writerRecord.getFullName();
            Schema readerRecord = readerRecords.get(name);
            Map<Integer, Upcaster> registered = upcasters.get(name);
            if (readerRecord == null || registered == null) {
                continue;
            }
            int from = SchemaHistory.versionOf(writerRecord);
            int to = SchemaHistory.versionOf(readerRecord);
            if (registered.keySet().stream().noneMatch(version -> version >= from && version < to)) {
                continue;
            }
            List<Target> steps = new ArrayList<>();
            for (int version = from; version < to; version++) {
                int next = version + 1;
                Schema target = next == to ? readerRecord : SchemaHistory.recordAt(readerSchema, name, next)
                        .orElseThrow(() -> new IllegalStateException("no schema of " + name + " version " + next
                                + " in history/" + readerSchema.getName() + ": add the released schema there"));
                steps.add(new Target(target, registered.get(version)));
            }
            chains.put(name, steps);
        }
        if (chains.isEmpty()) {
            return null;
        }
        Map<String, Schema> replacements = new HashMap<>();
        chains.forEach((name, steps) -> replacements.put(name, steps.get(steps.size() - 1).schema()));
        return new Plan(writerSchema, rewrite(writerSchema, replacements, new HashMap<>()), chains);
    }

    /** One step: the schema of the next version and the upcaster that completes it (null: Avro's rules only). */
    private record Target(Schema schema, Upcaster upcaster) {
    }

    /** The upcasting of one writer schema; thread-safe, built once per writer schema id. */
    public static final class Plan {

        private static final GenericData DATA = genericDataWithLogicalTypes();

        private final Schema intermediateSchema;
        private final Map<String, List<Target>> chains;
        private final GenericDatumReader<Object> reader;
        private final GenericDatumWriter<Object> writer;

        private Plan(Schema writerSchema, Schema intermediateSchema, Map<String, List<Target>> chains) {
            this.intermediateSchema = intermediateSchema;
            this.chains = chains;
            this.reader = new GenericDatumReader<>(writerSchema, writerSchema, DATA);
            this.writer = new GenericDatumWriter<>(intermediateSchema, DATA);
        }

        /** The schema the bytes of {@link #upcast} are written with: resolve it to the reader's schema. */
        public Schema intermediateSchema() {
            return intermediateSchema;
        }

        /** The records that are upcast, by full name. */
        public Collection<String> records() {
            return chains.keySet();
        }

        /** Decodes {@code length} bytes at {@code offset} with the writer schema, upcasts, encodes with the intermediate schema. */
        public byte[] upcast(byte[] data, int offset, int length) throws IOException {
            Object datum = reader.read(null, DecoderFactory.get().binaryDecoder(data, offset, length, null));
            Object upcast = walk(intermediateSchema, datum);
            ByteArrayOutputStream out = new ByteArrayOutputStream(length + 64);
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            writer.write(upcast, encoder);
            encoder.flush();
            return out.toByteArray();
        }

        /** Finds the records to upcast in {@code datum}, laid out by {@code schema} (intermediate, same shape). */
        @SuppressWarnings("unchecked")
        private Object walk(Schema schema, Object datum) {
            if (datum == null) {
                return null;
            }
            switch (schema.getType()) {
                case RECORD -> {
                    GenericRecord record = (GenericRecord) datum;
                    List<Target> steps = chains.get(record.getSchema().getFullName());
                    if (steps != null) {
                        return upcastRecord(record, steps);
                    }
                    for (Schema.Field field : schema.getFields()) {
                        record.put(field.pos(), walk(field.schema(), record.get(field.pos())));
                    }
                    return record;
                }
                case UNION -> {
                    int branch = datum instanceof GenericRecord record
                            ? branchNamed(schema, record.getSchema().getFullName())
                            : DATA.resolveUnion(schema, datum);
                    return walk(schema.getTypes().get(branch), datum);
                }
                case ARRAY -> {
                    List<Object> list = (List<Object>) datum;
                    list.replaceAll(element -> walk(schema.getElementType(), element));
                    return list;
                }
                case MAP -> {
                    Map<Object, Object> map = (Map<Object, Object>) datum;
                    map.replaceAll((key, value) -> walk(schema.getValueType(), value));
                    return map;
                }
                default -> {
                    return datum;
                }
            }
        }

        private static int branchNamed(Schema union, String name) {
            Integer index = union.getIndexNamed(name);
            if (index == null) {
                throw new IllegalStateException("union " + union + " has no branch " + name);
            }
            return index;
        }

        private static GenericRecord upcastRecord(GenericRecord record, List<Target> steps) {
            GenericRecord current = record;
            int version = SchemaHistory.versionOf(record.getSchema());
            for (Target step : steps) {
                GenericRecord next = prefill(current, step.schema());
                if (step.upcaster() != null) {
                    step.upcaster().step().apply(current, next);
                }
                version++;
                requireComplete(next, version);
                current = next;
            }
            return current;
        }

        /** Avro's rules: a field of the same name and a readable type is copied, any other takes its default. */
        private static GenericRecord prefill(GenericRecord previous, Schema target) {
            GenericData.Record next = new GenericData.Record(target);
            Schema source = previous.getSchema();
            for (Schema.Field field : target.getFields()) {
                Schema.Field old = source.getField(field.name());
                if (old == null) {
                    old = field.aliases().stream().map(source::getField).filter(Objects::nonNull).findFirst().orElse(null);
                }
                if (old != null && SchemaCompatibility.checkReaderWriterCompatibility(field.schema(), old.schema())
                        .getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                    next.put(field.pos(), previous.get(old.pos()));
                } else if (field.hasDefaultValue()) {
                    next.put(field.pos(), DATA.deepCopy(field.schema(), DATA.getDefaultValue(field)));
                }
            }
            return next;
        }

        private static void requireComplete(GenericRecord record, int version) {
            for (Schema.Field field : record.getSchema().getFields()) {
                if (record.get(field.pos()) == null && !field.schema().isNullable()) {
                    throw new IllegalStateException("upcasting " + record.getSchema().getName() + " to version " + version
                            + " left the required field '" + field.name() + "' empty: its upcaster must set it");
                }
            }
        }

        private static GenericData genericDataWithLogicalTypes() {
            GenericData data = new GenericData();
            data.addLogicalTypeConversion(new Conversions.DecimalConversion());
            data.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
            return data;
        }
    }

    /** {@code schema} with the named records in {@code replacements} swapped for the given schemas. */
    static Schema rewrite(Schema schema, Map<String, Schema> replacements, Map<String, Schema> done) {
        switch (schema.getType()) {
            case RECORD -> {
                Schema replacement = replacements.get(schema.getFullName());
                if (replacement != null) {
                    return replacement;
                }
                Schema existing = done.get(schema.getFullName());
                if (existing != null) {
                    return existing;
                }
                Schema copy = Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(), schema.isError());
                done.put(schema.getFullName(), copy);
                List<Schema.Field> fields = new ArrayList<>();
                for (Schema.Field field : schema.getFields()) {
                    fields.add(new Schema.Field(field, rewrite(field.schema(), replacements, done)));
                }
                copy.setFields(fields);
                schema.getObjectProps().forEach(copy::addProp);
                schema.getAliases().forEach(copy::addAlias);
                return copy;
            }
            case UNION -> {
                return Schema.createUnion(schema.getTypes().stream()
                        .map(type -> rewrite(type, replacements, done)).toList());
            }
            case ARRAY -> {
                Schema copy = Schema.createArray(rewrite(schema.getElementType(), replacements, done));
                schema.getObjectProps().forEach(copy::addProp);
                return copy;
            }
            case MAP -> {
                Schema copy = Schema.createMap(rewrite(schema.getValueType(), replacements, done));
                schema.getObjectProps().forEach(copy::addProp);
                return copy;
            }
            default -> {
                return schema;
            }
        }
    }
}
