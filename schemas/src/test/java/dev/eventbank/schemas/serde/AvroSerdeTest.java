package dev.eventbank.schemas.serde;

import dev.eventbank.schemas.events.AccountOpened;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.events.MoneyDeposited;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AvroSerdeTest {

    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    private final Serde<BankAccountEvent> serde = AvroSerdes.value(BankAccountEvent.class, registry);

    @Test
    void shouldWriteConfluentWireFormatWithTheRegisteredSchemaId() {
        // when
        byte[] bytes = serde.serializer().serialize("bank-account-events", deposited());

        // then
        assertEquals(0, bytes[0], "magic byte");
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        assertEquals(BankAccountEvent.getClassSchema(), registry.schemaById(id));
        assertEquals(id, registry.register("bank-account-events-value", BankAccountEvent.getClassSchema()));
    }

    @Test
    void shouldReadBackExactDecimalsAndInstants() {
        // given
        BankAccountEvent event = deposited();

        // when
        BankAccountEvent read = serde.deserializer().deserialize("bank-account-events",
                serde.serializer().serialize("bank-account-events", event));

        // then
        assertEquals(event, read);
        assertEquals(new BigDecimal("12.3400"), ((MoneyDeposited) read.getPayload()).getAmount());
    }

    @Test
    void shouldRejectBytesThatAreNotWireFormat() {
        SerializationException error = assertThrows(SerializationException.class,
                () -> serde.deserializer().deserialize("bank-account-events", "{\"json\":1}".getBytes()));
        assertTrue(error.getMessage().contains("magic byte"), error.getMessage());
    }

    @Test
    void shouldResolveAnOlderWriterSchemaToTheCurrentReaderSchema() throws Exception {
        // given: a writer schema for AccountOpened-only envelopes lacking the defaulted aggregateType field
        Schema opened = AccountOpened.getClassSchema();
        Schema oldEnvelope = SchemaBuilder.record("BankAccountEvent").namespace("dev.eventbank.schemas.events").fields()
                .requiredString("eventId").requiredString("aggregateId").requiredLong("version")
                .requiredString("eventType")
                .name("occurredAt").type(BankAccountEvent.getClassSchema().getField("occurredAt").schema()).noDefault()
                .requiredString("commandId").requiredString("correlationId")
                .name("payload").type(Schema.createUnion(opened)).noDefault()
                .endRecord();
        int oldId = registry.register("bank-account-events-value", oldEnvelope);
        GenericRecord payload = new GenericData.Record(opened);
        payload.put("accountNumber", "NL00EVNT0000000001");
        payload.put("owner", "Ada");
        payload.put("currency", "EUR");
        payload.put("initialDeposit", ByteBuffer.wrap(new BigDecimal("5.0000").unscaledValue().toByteArray()));
        GenericRecord old = new GenericData.Record(oldEnvelope);
        old.put("eventId", "e-1");
        old.put("aggregateId", "a-1");
        old.put("version", 1L);
        old.put("eventType", "AccountOpened");
        old.put("occurredAt", 1_700_000_000_000L);
        old.put("commandId", "c-1");
        old.put("correlationId", "r-1");
        old.put("payload", payload);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(ByteBuffer.allocate(4).putInt(oldId).array());
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(oldEnvelope).write(old, encoder);
        encoder.flush();

        // when
        BankAccountEvent read = serde.deserializer().deserialize("bank-account-events", out.toByteArray());

        // then
        assertEquals("BankAccount", read.getAggregateType());
        assertEquals(new BigDecimal("5.0000"), ((AccountOpened) read.getPayload()).getInitialDeposit());
    }

    private static BankAccountEvent deposited() {
        return BankAccountEvent.newBuilder()
                .setEventId("e-2").setAggregateId("a-1").setVersion(2).setEventType("MoneyDeposited")
                .setOccurredAt(Instant.ofEpochMilli(1_700_000_000_123L))
                .setCommandId("c-2").setCorrelationId("r-2")
                .setPayload(MoneyDeposited.newBuilder().setAmount(new BigDecimal("12.3400")).setCurrency("EUR")
                        .setBalanceAfter(new BigDecimal("17.3400")).build())
                .build();
    }
}
