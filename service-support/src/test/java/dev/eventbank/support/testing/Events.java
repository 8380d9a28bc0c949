package dev.eventbank.support.testing;

import dev.eventbank.schemas.AvroDecimals;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.evolution.SchemaHistory;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

import dev.eventbank.schemas.common.AccountType;
import dev.eventbank.schemas.events.AccountClosed;
import dev.eventbank.schemas.events.AccountOpened;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.events.MoneyDeposited;
import dev.eventbank.schemas.events.MoneyWithdrawn;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.UUID;

/** Builds the events a command service would append, for tests. */
public final class Events {

    public static final Instant T0 = Instant.parse("2025-01-01T10:00:00Z");

    private Events() {
    }

    public static BankAccountEvent opened(String accountId, String initialDeposit) {
        return event(accountId, 1, "AccountOpened", new AccountOpened("NL00EVBK0000000001", "Ada Lovelace", "EUR",
                AvroDecimals.toWire(new BigDecimal(initialDeposit)), null, null, null));
    }

    /** An AccountOpened of version 3: the account is owned by the customer {@code ownerId}. */
    public static BankAccountEvent openedFor(String accountId, String initialDeposit, String ownerId) {
        return event(accountId, 1, "AccountOpened", new AccountOpened("NL00EVBK0000000001", "Ada Lovelace", "EUR",
                AvroDecimals.toWire(new BigDecimal(initialDeposit)), "ada@example.com", AccountType.CHECKING, ownerId));
    }

    /** An AccountOpened of version 2 with an e-mail address (or null) and an account type. */
    public static BankAccountEvent opened(String accountId, String initialDeposit, String email, AccountType accountType) {
        return event(accountId, 1, "AccountOpened", new AccountOpened("NL00EVBK0000000001", "Ada Lovelace", "EUR",
                AvroDecimals.toWire(new BigDecimal(initialDeposit)), email, accountType, null));
    }

    public static BankAccountEvent deposited(String accountId, long version, String amount, String balanceAfter) {
        return event(accountId, version, "MoneyDeposited", new MoneyDeposited(AvroDecimals.toWire(new BigDecimal(amount)),
                "EUR", AvroDecimals.toWire(new BigDecimal(balanceAfter)), null));
    }

    public static BankAccountEvent withdrawn(String accountId, long version, String amount, String balanceAfter) {
        return event(accountId, version, "MoneyWithdrawn", new MoneyWithdrawn(AvroDecimals.toWire(new BigDecimal(amount)),
                "EUR", AvroDecimals.toWire(new BigDecimal(balanceAfter))));
    }

    public static BankAccountEvent closed(String accountId, long version) {
        return event(accountId, version, "AccountClosed", new AccountClosed("customer request"));
    }

    /**
     * An AccountOpened as the version 1 command service wrote it: the envelope's first released schema (from
     * history/, no email, no accountType), registered under the events subject, in Confluent's wire format.
     */
    public static byte[] version1Opened(SchemaRegistryClient registry, String accountId, String initialDeposit) {
        Schema v1 = SchemaHistory.releases("BankAccountEvent").get(0);
        Schema openedV1 = v1.getField("payload").schema().getTypes().stream()
                .filter(type -> type.getName().equals("AccountOpened")).findFirst().orElseThrow();
        GenericRecord opened = new GenericData.Record(openedV1);
        opened.put("accountNumber", "NL00EVBK0000000009");
        opened.put("owner", "Grace Hopper");
        opened.put("currency", "EUR");
        opened.put("initialDeposit", ByteBuffer.wrap(AvroDecimals.toWire(new BigDecimal(initialDeposit)).unscaledValue().toByteArray()));
        GenericRecord event = new GenericData.Record(v1);
        event.put("eventId", UUID.randomUUID().toString());
        event.put("aggregateId", accountId);
        event.put("aggregateType", "BankAccount");
        event.put("version", 1L);
        event.put("eventType", "AccountOpened");
        event.put("occurredAt", T0.plusSeconds(1).toEpochMilli());
        event.put("commandId", UUID.randomUUID().toString());
        event.put("correlationId", UUID.randomUUID().toString());
        event.put("payload", opened);
        try {
            int id = registry.register(Topics.EVENTS.name() + "-value", v1);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(0);
            out.write(ByteBuffer.allocate(4).putInt(id).array());
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(v1).write(event, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@link #version1Opened} as every read model receives it: decoded by the upcasting deserializer. */
    public static BankAccountEvent version1OpenedUpcast(SchemaRegistryClient registry, String accountId, String initialDeposit) {
        return AvroSerdes.value(BankAccountEvent.class, registry).deserializer()
                .deserialize(Topics.EVENTS.name(), version1Opened(registry, accountId, initialDeposit));
    }

    private static BankAccountEvent event(String accountId, long version, String type, Object payload) {
        return BankAccountEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setAggregateId(accountId)
                .setAggregateType("BankAccount")
                .setVersion(version)
                .setEventType(type)
                .setOccurredAt(T0.plusSeconds(version))
                .setCommandId(UUID.randomUUID().toString())
                .setCorrelationId(UUID.randomUUID().toString())
                .setPayload(payload)
                .build();
    }
}
