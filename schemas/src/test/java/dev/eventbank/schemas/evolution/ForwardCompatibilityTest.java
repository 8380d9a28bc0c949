package dev.eventbank.schemas.evolution;

import dev.eventbank.schemas.AvroDecimals;
import dev.eventbank.schemas.common.AccountType;
import dev.eventbank.schemas.events.AccountOpened;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.events.MoneyDeposited;
import dev.eventbank.schemas.serde.AvroSerializer;
import dev.eventbank.schemas.serde.InMemorySchemaRegistryClient;
import dev.eventbank.schemas.readmodel.BankTotals;
import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
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

    @Test
    void shouldReadBankTotalsV2SumsPastTenToTheEighteenExactlyWithTheV1Schema() throws IOException {
        // given: totals written with BankTotals v2 (decimal(51,4)), one sum past v1's decimal(22,4), one at v2's limit
        Schema totalsV1 = SchemaHistory.releases("BankTotals").get(0);
        BigDecimal past = new BigDecimal("3000000000000000000.9997");
        BigDecimal largest = new BigDecimal("9".repeat(47) + ".9999");
        BankTotals totals = new BankTotals(java.util.Map.of("CHF", past, "EUR", largest.negate(), "USD",
                new BigDecimal("12.5000")), java.util.Map.of("OPEN", 4L), 4L, Instant.parse("2026-02-01T00:00:00Z"));
        byte[] bytes = new AvroSerializer<BankTotals>(registry, false).serialize("bank-totals", totals);
        Schema writer = registry.schemaById(ByteBuffer.wrap(bytes, 1, 4).getInt());

        // when: a reader on v1, like another team's Confluent deserializer with the old generated class (which
        // applies the decimal conversion of its own schema: scale 4, the precision is not checked on reading)
        GenericData withDecimals = new GenericData();
        withDecimals.addLogicalTypeConversion(new Conversions.DecimalConversion());
        GenericRecord read = new GenericDatumReader<GenericRecord>(writer, totalsV1, withDecimals)
                .read(null, DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null));

        // then: every sum exact, and Avro's compatibility check (the registry's and the gate's) agrees both ways
        java.util.Map<?, ?> balances = (java.util.Map<?, ?>) read.get("balances");
        java.util.Map<String, Object> byCurrency = new java.util.TreeMap<>();
        balances.forEach((currency, amount) -> byCurrency.put(currency.toString(), amount));
        assertEquals(java.util.Map.of("CHF", past, "EUR", largest.negate(), "USD", new BigDecimal("12.5000")), byCurrency);
        assertEquals(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE,
                SchemaCompatibility.checkReaderWriterCompatibility(totalsV1, writer).getType());
        assertEquals(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE,
                SchemaCompatibility.checkReaderWriterCompatibility(writer, totalsV1).getType());
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
