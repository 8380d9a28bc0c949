package dev.eventbank.projection.state;

import dev.eventbank.support.testing.Events;
import dev.eventbank.support.testing.Events;
import dev.eventbank.projection.TestDriverConfig;
import dev.eventbank.projection.pipeline.DeadLetterHeaders;
import dev.eventbank.projection.pipeline.ReadSideTopology;
import dev.eventbank.projection.pipeline.UnprocessableEventException;
import dev.eventbank.schemas.catalog.Stores;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.common.AccountStatus;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccountStateProjectionTest {

    private static final String ID = "5f0e3a8c-7b1d-4e2f-8a9c-0d1e2f3a4b5c";

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private Serde<BankAccountEvent> eventSerde;
    private TestInputTopic<String, byte[]> events;
    private TestOutputTopic<String, AccountState> states;
    private TestOutputTopic<String, byte[]> deadLetters;

    @BeforeEach
    void startDriver() {
        SchemaRegistryClient registry = SchemaRegistryClients.forUrl("mock://projection-test-" + UUID.randomUUID());
        eventSerde = AvroSerdes.value(BankAccountEvent.class, registry);
        StreamsBuilder builder = new StreamsBuilder();
        ReadSideTopology.build(builder, registry);
        Properties properties = TestDriverConfig.exactlyOnce("projection-test", stateDir);
        driver = new TopologyTestDriver(builder.build(), properties);
        events = driver.createInputTopic(Topics.EVENTS.name(), new StringSerializer(), new ByteArraySerializer());
        states = driver.createOutputTopic(Topics.STATE.name(), new StringDeserializer(),
                AvroSerdes.value(AccountState.class, registry).deserializer());
        deadLetters = driver.createOutputTopic(Topics.EVENTS_DLQ.name(), new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    @Test
    void shouldPublishEachStateWhenOpenDepositWithdrawAndClose() {
        // when
        append(Events.opened(ID, "100.00"));
        append(Events.deposited(ID, 2, "50.25", "150.25"));
        append(Events.withdrawn(ID, 3, "150.25", "0"));
        append(Events.closed(ID, 4));

        // then
        List<AccountState> published = states.readValuesToList();
        assertEquals(List.of(1L, 2L, 3L, 4L), published.stream().map(AccountState::getVersion).toList());
        assertEquals(List.of(new BigDecimal("100.0000"), new BigDecimal("150.2500"), new BigDecimal("0.0000"),
                new BigDecimal("0.0000")), published.stream().map(AccountState::getBalance).toList());
        assertEquals(List.of(AccountStatus.OPEN, AccountStatus.OPEN, AccountStatus.OPEN, AccountStatus.CLOSED),
                published.stream().map(AccountState::getStatus).toList());
        assertEquals(published.get(3), store(ID));
        assertTrue(deadLetters.isEmpty());
    }

    @Test
    void shouldChangeNothingWhenAnEventIsRedelivered() {
        // given
        BankAccountEvent deposit = Events.deposited(ID, 2, "50.25", "150.25");
        append(Events.opened(ID, "100.00"));
        append(deposit);
        states.readValuesToList();
        AccountState before = store(ID);

        // when
        append(deposit);
        append(Events.opened(ID, "100.00"));

        // then
        assertTrue(states.isEmpty());
        assertTrue(deadLetters.isEmpty());
        assertEquals(before, store(ID));
    }

    @Test
    void shouldDeadLetterGarbageWithHeadersAndApplyTheNextGoodEvent() {
        // given
        byte[] garbage = "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8);
        append(Events.opened(ID, "100.00"));

        // when
        events.pipeInput(ID, garbage);
        append(Events.deposited(ID, 2, "1.00", "101.00"));

        // then
        TestRecord<String, byte[]> dead = deadLetters.readRecord();
        assertEquals(ID, dead.key());
        assertArrayEquals(garbage, dead.value());
        assertTrue(header(dead.headers(), DeadLetterHeaders.REASON).contains("not Confluent wire format"));
        assertEquals("org.apache.kafka.common.errors.SerializationException", header(dead.headers(), DeadLetterHeaders.EXCEPTION));
        assertEquals(Topics.EVENTS.name(), header(dead.headers(), DeadLetterHeaders.SOURCE_TOPIC));
        assertEquals("0", header(dead.headers(), DeadLetterHeaders.SOURCE_PARTITION));
        assertEquals("1", header(dead.headers(), DeadLetterHeaders.SOURCE_OFFSET));
        assertEquals(AccountStateProjection.NAME, header(dead.headers(), DeadLetterHeaders.PROJECTION));
        assertEquals(List.of(1L, 2L), states.readValuesToList().stream().map(AccountState::getVersion).toList());
    }

    @Test
    void shouldDeadLetterAnUnknownSchemaIdAndApplyTheNextGoodEvent() {
        // given
        byte[] valid = eventSerde.serializer().serialize(Topics.EVENTS.name(), Events.opened(ID, "100.00"));
        byte[] unknownId = valid.clone();
        ByteBuffer.wrap(unknownId, 1, 4).putInt(4711);

        // when
        events.pipeInput(ID, unknownId);
        events.pipeInput(ID, valid);

        // then
        TestRecord<String, byte[]> dead = deadLetters.readRecord();
        assertArrayEquals(unknownId, dead.value());
        assertTrue(header(dead.headers(), DeadLetterHeaders.REASON).contains("4711"), header(dead.headers(), DeadLetterHeaders.REASON));
        assertEquals("0", header(dead.headers(), DeadLetterHeaders.SOURCE_OFFSET));
        assertEquals(1, store(ID).getVersion());
        assertEquals(1, states.readValuesToList().size());
    }

    @Test
    void shouldDeadLetterAVersionGapAndKeepTheStoredState() {
        // given
        append(Events.opened(ID, "100.00"));
        states.readValuesToList();

        // when
        append(Events.deposited(ID, 3, "1.00", "101.00"));

        // then
        TestRecord<String, byte[]> dead = deadLetters.readRecord();
        assertTrue(header(dead.headers(), DeadLetterHeaders.REASON).contains("version gap"));
        assertEquals(UnprocessableEventException.class.getName(), header(dead.headers(), DeadLetterHeaders.EXCEPTION));
        assertTrue(states.isEmpty());
        assertEquals(1, store(ID).getVersion());
    }

    @Test
    void shouldDeadLetterAnEventForAnUnknownAccount() {
        // when
        append(Events.deposited(ID, 1, "1.00", "1.00"));

        // then
        assertTrue(header(deadLetters.readRecord().headers(), DeadLetterHeaders.REASON).contains("unknown account"));
        assertNull(store(ID));
    }

    @Test
    void shouldDeadLetterAnEventWhoseKeyIsNotItsAccount() {
        // when
        events.pipeInput("another-key", eventSerde.serializer().serialize(Topics.EVENTS.name(), Events.opened(ID, "1")));

        // then
        TestRecord<String, byte[]> dead = deadLetters.readRecord();
        assertEquals("another-key", dead.key());
        assertTrue(header(dead.headers(), DeadLetterHeaders.REASON).contains("does not match"));
        assertNull(store(ID));
    }

    private void append(BankAccountEvent event) {
        events.pipeInput(event.getAggregateId(), eventSerde.serializer().serialize(Topics.EVENTS.name(), event));
    }

    private AccountState store(String accountId) {
        return driver.<String, AccountState>getKeyValueStore(Stores.ACCOUNT_STATE).get(accountId);
    }

    private static String header(Headers headers, String key) {
        return new String(headers.lastHeader(key).value(), StandardCharsets.UTF_8);
    }
}
