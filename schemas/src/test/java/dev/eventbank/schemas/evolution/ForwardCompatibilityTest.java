package dev.eventbank.schemas.evolution;

import dev.eventbank.schemas.AvroDecimals;
import dev.eventbank.schemas.common.AccountType;
import dev.eventbank.schemas.events.AccountOpened;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.events.MoneyDeposited;
import dev.eventbank.schemas.serde.AvroSerializer;
import dev.eventbank.schemas.serde.InMemorySchemaRegistryClient;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Forward compatibility: a consumer built against the v1 event schema (another team's, never upgraded) reads the
 * events we now write as v2, through the registry, as a generic Confluent deserializer does: writer schema by id,
 * its own v1 schema as the reader's. It sees every v1 field and simply not the new ones.
 */
class ForwardCompatibilityTest {

    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    private final Schema v1 = SchemaHistory.releases("BankAccountEvent").get(0);

    @Test
    void shouldReadV2EventsWithTheV1SchemaWhenTheConsumerWasNeverUpgraded() throws IOException {
        // given events written by today's command service
        BankAccountEvent opened = event(1, AccountOpened.newBuilder().setAccountNumber("NL00EVBK0000000009")
                .setOwner("Grace Hopper").setCurrency("USD").setInitialDeposit(AvroDecimals.toWire(new BigDecimal("10.00")))
                .setEmail("grace@example.com").setAccountType(AccountType.SAVINGS).build());
        BankAccountEvent deposited = event(2, MoneyDeposited.newBuilder().setAmount(AvroDecimals.toWire(new BigDecimal("5")))
                .setCurrency("USD").setBalanceAfter(AvroDecimals.toWire(new BigDecimal("15"))).setReference("invoice 42").build());
        AvroSerializer<BankAccountEvent> serializer = new AvroSerializer<>(registry, false);
        // when
        GenericRecord readOpened = readAsV1(serializer.serialize("bank-account-events", opened));
        GenericRecord readDeposited = readAsV1(serializer.serialize("bank-account-events", deposited));
        // then
        GenericRecord openedPayload = (GenericRecord) readOpened.get("payload");
        assertEquals("AccountOpened", openedPayload.getSchema().getName());
        assertEquals("Grace Hopper", openedPayload.get("owner").toString());
        assertEquals(new BigDecimal("10.0000"), decimal(openedPayload.get("initialDeposit")));
        assertNull(openedPayload.getSchema().getField("email"), "a v1 reader has no email field");
        GenericRecord depositedPayload = (GenericRecord) readDeposited.get("payload");
        assertEquals(new BigDecimal("15.0000"), decimal(depositedPayload.get("balanceAfter")));
        assertNull(depositedPayload.getSchema().getField("reference"));
        assertEquals(2L, readDeposited.get("version"));
    }

    private GenericRecord readAsV1(byte[] bytes) throws IOException {
        Schema writer = registry.schemaById(ByteBuffer.wrap(bytes, 1, 4).getInt());
        return new GenericDatumReader<GenericRecord>(writer, v1)
                .read(null, DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null));
    }

    private static BigDecimal decimal(Object bytes) {
        ByteBuffer buffer = (ByteBuffer) bytes;
        byte[] unscaled = new byte[buffer.remaining()];
        buffer.duplicate().get(unscaled);
        return new BigDecimal(new java.math.BigInteger(unscaled), AvroDecimals.SCALE);
    }

    private static BankAccountEvent event(long version, Object payload) {
        return BankAccountEvent.newBuilder().setEventId("e-" + version).setAggregateId("a-1").setVersion(version)
                .setEventType(payload.getClass().getSimpleName()).setOccurredAt(Instant.parse("2026-02-01T00:00:00Z"))
                .setCommandId("c-" + version).setCorrelationId("r-" + version).setPayload(payload).build();
    }
}
