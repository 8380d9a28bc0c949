package dev.eventbank.schemas.evolution;

import dev.eventbank.schemas.AvroDecimals;
import dev.eventbank.schemas.common.AccountType;
import dev.eventbank.schemas.events.AccountClosed;
import dev.eventbank.schemas.events.AccountOpened;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.events.MoneyDeposited;
import dev.eventbank.schemas.events.MoneyWithdrawn;
import dev.eventbank.schemas.serde.AvroDeserializer;
import dev.eventbank.schemas.serde.AvroSerdes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Events as the v1 command service wrote them (committed bytes, never regenerated) replay through today's
 * deserializer, upcasters included, into the state they described.
 */
class V1FixtureReplayTest {

    private static final String ADA = "3f1e2d4c-5b6a-4789-8abc-def012345601";
    private static final String CHARLES = "3f1e2d4c-5b6a-4789-8abc-def012345602";

    private final AvroDeserializer<BankAccountEvent> deserializer =
            (AvroDeserializer<BankAccountEvent>) AvroSerdes.value(BankAccountEvent.class, Fixtures.v1Registry()).deserializer();

    @Test
    void shouldHoldExactlyV1WireFormatWhenReadWithTheReleasedSchema() throws Exception {
        // given
        Schema v1 = SchemaHistory.releases("BankAccountEvent").get(0);
        for (Fixtures.Record record : Fixtures.v1Events()) {
            // when
            int id = ByteBuffer.wrap(record.value(), 1, 4).getInt();
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(record.value(), 5, record.value().length - 5, null);
            new GenericDatumReader<>(v1).read(null, decoder);
            // then: magic byte, id 3, and the v1 schema consumes every byte
            assertEquals(0, record.value()[0]);
            assertEquals(3, id);
            assertTrue(decoder.isEnd(), "bytes left after a v1 record");
            assertTrue(v1.toString().indexOf(SchemaHistory.VERSION_PROPERTY) < 0, "v1 carries no version property");
        }
    }

    @Test
    void shouldReplayV1EventsIntoTheirStatesWhenReadAsCurrentEvents() {
        // given
        Map<String, State> states = new LinkedHashMap<>();
        // when
        for (Fixtures.Record record : Fixtures.v1Events()) {
            BankAccountEvent event = deserializer.deserialize("bank-account-events", record.value());
            assertEquals(record.key(), event.getAggregateId());
            State before = states.get(record.key());
            states.put(record.key(), before == null ? State.opened(event) : before.apply(event));
        }
        // then
        assertEquals(new State(4, "EUR", new BigDecimal("120.75"), "OPEN", AccountType.CHECKING, null), states.get(ADA));
        assertEquals(new State(4, "JPY", new BigDecimal("0"), "CLOSED", AccountType.CHECKING, null), states.get(CHARLES));
    }

    @Test
    void shouldUpcastV1PayloadsToTheCurrentVersionWhenDeserialized() {
        // given
        List<Fixtures.Record> records = Fixtures.v1Events();
        // when
        BankAccountEvent opened = deserializer.deserialize("bank-account-events", records.get(0).value());
        BankAccountEvent deposited = deserializer.deserialize("bank-account-events", records.get(1).value());
        BankAccountEvent closed = deserializer.deserialize("bank-account-events", records.get(7).value());
        // then: AccountOpened v1 -> v2 by its upcaster, MoneyDeposited v1 -> v2 by Avro's defaults
        AccountOpened payload = (AccountOpened) opened.getPayload();
        assertEquals("Ada Lovelace", payload.getOwner());
        assertEquals("NL00EVBK0000000001", payload.getAccountNumber());
        assertEquals(AccountType.CHECKING, payload.getAccountType());
        assertNull(payload.getEmail());
        assertEquals(new BigDecimal("100.0000"), payload.getInitialDeposit());
        assertNull(((MoneyDeposited) deposited.getPayload()).getReference());
        assertEquals("moving abroad", ((AccountClosed) closed.getPayload()).getReason());
        assertEquals("2026-01-15T09:30:00Z", opened.getOccurredAt().toString());
    }

    /** A minimal fold of the read model, to check what the events say. */
    private record State(long version, String currency, BigDecimal balance, String status, AccountType type, String email) {

        static State opened(BankAccountEvent event) {
            AccountOpened opened = (AccountOpened) event.getPayload();
            return new State(event.getVersion(), opened.getCurrency(),
                    AvroDecimals.fromWire(opened.getInitialDeposit(), opened.getCurrency()), "OPEN",
                    opened.getAccountType(), opened.getEmail());
        }

        State apply(BankAccountEvent event) {
            assertEquals(version + 1, event.getVersion(), "versions run without gaps");
            Object payload = event.getPayload();
            if (payload instanceof MoneyDeposited deposited) {
                return new State(event.getVersion(), currency, AvroDecimals.fromWire(deposited.getBalanceAfter(), currency),
                        status, type, email);
            }
            if (payload instanceof MoneyWithdrawn withdrawn) {
                return new State(event.getVersion(), currency, AvroDecimals.fromWire(withdrawn.getBalanceAfter(), currency),
                        status, type, email);
            }
            if (payload instanceof AccountClosed) {
                return new State(event.getVersion(), currency, balance, "CLOSED", type, email);
            }
            throw new IllegalStateException("unexpected " + payload);
        }
    }
}
