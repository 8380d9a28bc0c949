package dev.eventbank.schemas.serde;

import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** Kafka {@link Serde}s for our generated Avro records in Confluent's wire format. */
public final class AvroSerdes {

    private AvroSerdes() {
    }

    /** A value serde for {@code type}, registering and resolving schemas through {@code registry}. */
    public static <T extends SpecificRecord> Serde<T> value(Class<T> type, SchemaRegistryClient registry) {
        return Serdes.serdeFrom(new AvroSerializer<>(registry, false),
                new AvroDeserializer<>(registry, SpecificData.get().getSchema(type)));
    }
}
