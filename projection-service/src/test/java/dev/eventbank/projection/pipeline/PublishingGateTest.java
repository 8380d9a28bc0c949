package dev.eventbank.projection.pipeline;

import dev.eventbank.support.testing.Events;
import dev.eventbank.support.testing.Events;
import dev.eventbank.projection.TestDriverConfig;
import dev.eventbank.projection.history.AccountHistoryProjection;
import dev.eventbank.projection.history.HistoryKeys;
import dev.eventbank.projection.snapshots.SnapshotProjection;
import dev.eventbank.projection.snapshots.Snapshots;
import dev.eventbank.projection.totals.BankTotalsProjection;
import dev.eventbank.schemas.catalog.Stores;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.readmodel.AccountSnapshot;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.readmodel.BankTotals;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A generation being rebuilt builds its stores but publishes nothing until the switch, then re-publishes once. */
class PublishingGateTest {

    private static final String A = "11111111-1111-1111-1111-111111111111";
    private static final String B = "22222222-2222-2222-2222-222222222222";

    @TempDir
    Path stateDir;

    private final Publishing gate = Publishing.gated();
    private TopologyTestDriver driver;
    private Serde<BankAccountEvent> eventSerde;
    private TestInputTopic<String, byte[]> events;
    private TestOutputTopic<String, AccountState> states;
    private TestOutputTopic<String, AccountSnapshot> snapshots;
    private TestOutputTopic<String, BankTotals> totals;
    private TestOutputTopic<String, byte[]> deadLetters;

    @BeforeEach
    void startDriver() {
        SchemaRegistryClient registry = SchemaRegistryClients.forUrl("mock://gate-test-" + UUID.randomUUID());
        eventSerde = AvroSerdes.value(BankAccountEvent.class, registry);
        StreamsBuilder builder = new StreamsBuilder();
        ReadSideTopology.build(builder, registry, Snapshots.Policy.everyEvents(3), new LogProgress(), gate);
        Properties properties = TestDriverConfig.exactlyOnce("gate-test", stateDir);
        driver = new TopologyTestDriver(builder.build(), properties);
        events = driver.createInputTopic(Topics.EVENTS.name(), new StringSerializer(), new ByteArraySerializer());
        states = driver.createOutputTopic(Topics.STATE.name(), new StringDeserializer(),
                AvroSerdes.value(AccountState.class, registry).deserializer());
        snapshots = driver.createOutputTopic(Topics.SNAPSHOTS.name(), new StringDeserializer(),
                AvroSerdes.value(AccountSnapshot.class, registry).deserializer());
        totals = driver.createOutputTopic(BankTotalsProjection.TOPIC, new StringDeserializer(),
                AvroSerdes.value(BankTotals.class, registry).deserializer());
        deadLetters = driver.createOutputTopic(Topics.EVENTS_DLQ.name(), new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    @Test
    void shouldBuildEveryStoreButPublishNothingWhenTheGateIsClosed() {
        // when
        appendHistory();

        // then: nothing reached a public topic
        assertTrue(states.isEmpty(), "state topic");
        assertTrue(snapshots.isEmpty(), "snapshot topic");
        assertTrue(totals.isEmpty(), "totals topic");
        assertTrue(deadLetters.isEmpty(), "dead-letter topic");
        // then: the stores hold the whole fold
        KeyValueStore<String, AccountState> store = driver.getKeyValueStore(Stores.ACCOUNT_STATE);
        assertEquals(4L, store.get(A).getVersion());
        assertEquals(1L, store.get(B).getVersion());
        KeyValueStore<String, byte[]> history = driver.getKeyValueStore(AccountHistoryProjection.STORE);
        assertEquals(5, count(history));
        KeyValueStore<String, AccountSnapshot> snapshotStore = driver.getKeyValueStore(SnapshotProjection.STORE);
        assertEquals(3L, snapshotStore.get(HistoryKeys.key(A, 3)).getVersion());
        KeyValueStore<String, BankTotals> totalsStore = driver.getKeyValueStore(BankTotalsProjection.STORE);
        assertEquals(5L, totalsStore.get(BankTotalsProjection.KEY).getEventsApplied());
    }

    @Test
    void shouldRepublishEachAccountOnceThenPublishNormallyWhenTheGateOpens() {
        // given
        appendHistory();

        // when: the switch opens the gate with a re-publish pass, which runs on the next punctuation
        gate.enable(true);
        driver.advanceWallClockTime(Duration.ofSeconds(1));

        // then: each account's current state, once
        Map<String, Long> republished = states.readKeyValuesToList().stream()
                .collect(Collectors.toMap(kv -> kv.key, kv -> kv.value.getVersion()));
        assertEquals(Map.of(A, 4L, B, 1L), republished);
        assertEquals(List.of(5L), totals.readValuesToList().stream().map(BankTotals::getEventsApplied).toList());

        // when: the next event, and more punctuations
        events.pipeInput(A, eventSerde.serializer().serialize(Topics.EVENTS.name(), Events.deposited(A, 5, "1.00", "141.00")));
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        driver.advanceWallClockTime(Duration.ofSeconds(1));

        // then: published once, no second pass
        List<KeyValue<String, AccountState>> after = states.readKeyValuesToList();
        assertEquals(1, after.size(), after.toString());
        assertEquals(5L, after.get(0).value.getVersion());
        // totals are published again from the next event on, with everything the rebuild summed
        assertEquals(6L, totals.readValuesToList().get(0).getEventsApplied());
    }

    @Test
    void shouldRepublishTheLatestSnapshotOfEachAccountAndTheTotalsOnceWhenTheGateOpens() {
        // given: A snapshotted at versions 3 and 6, B never (one event), seven events applied
        appendHistory();
        var serializer = eventSerde.serializer();
        events.pipeInput(A, serializer.serialize(Topics.EVENTS.name(), Events.deposited(A, 5, "1.00", "141.00")));
        events.pipeInput(A, serializer.serialize(Topics.EVENTS.name(), Events.deposited(A, 6, "1.00", "142.00")));
        assertTrue(snapshots.isEmpty() && totals.isEmpty(), "nothing published before the switch");

        // when: the switch, then more punctuations
        gate.enable(true);
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        driver.advanceWallClockTime(Duration.ofSeconds(1));

        // then: A's latest snapshot only, and the rebuilt totals, each once
        List<KeyValue<String, AccountSnapshot>> republished = snapshots.readKeyValuesToList();
        assertEquals(1, republished.size(), republished.toString());
        assertEquals(A, republished.get(0).key);
        assertEquals(6L, republished.get(0).value.getVersion());
        assertEquals(new java.math.BigDecimal("142.0000"), republished.get(0).value.getBalance());
        List<KeyValue<String, BankTotals>> republishedTotals = totals.readKeyValuesToList();
        assertEquals(1, republishedTotals.size(), republishedTotals.toString());
        assertEquals(BankTotalsProjection.KEY, republishedTotals.get(0).key);
        assertEquals(7L, republishedTotals.get(0).value.getEventsApplied());
        assertEquals(Map.of("OPEN", 2L), republishedTotals.get(0).value.getAccountsByStatus());
    }

    @Test
    void shouldNeverRepublishWhenAlwaysPublishing() {
        // given: the topology of a normal start
        SchemaRegistryClient registry = SchemaRegistryClients.forUrl("mock://gate-test-" + UUID.randomUUID());
        StreamsBuilder builder = new StreamsBuilder();
        ReadSideTopology.build(builder, registry, Snapshots.Policy.everyEvents(3), new LogProgress(), Publishing.ALWAYS);
        Properties properties = TestDriverConfig.of("gate-test-always", stateDir.resolve("always"));
        try (TopologyTestDriver always = new TopologyTestDriver(builder.build(), properties)) {
            TestInputTopic<String, byte[]> input = always.createInputTopic(Topics.EVENTS.name(), new StringSerializer(),
                    new ByteArraySerializer());
            TestOutputTopic<String, AccountState> output = always.createOutputTopic(Topics.STATE.name(),
                    new StringDeserializer(), AvroSerdes.value(AccountState.class, registry).deserializer());
            var serializer = AvroSerdes.value(BankAccountEvent.class, registry).serializer();

            // when
            input.pipeInput(A, serializer.serialize(Topics.EVENTS.name(), Events.opened(A, "100.00")));
            Publishing.ALWAYS.enable(true);
            always.advanceWallClockTime(Duration.ofSeconds(5));

            // then: the one state of the one event
            assertEquals(1, output.readValuesToList().size());
        }
    }

    private void appendHistory() {
        var serializer = eventSerde.serializer();
        List<BankAccountEvent> log = List.of(Events.opened(A, "100.00"), Events.deposited(A, 2, "10.00", "110.00"),
                Events.deposited(A, 3, "20.00", "130.00"), Events.deposited(A, 4, "10.00", "140.00"), Events.opened(B, "5.00"));
        for (BankAccountEvent event : log) {
            events.pipeInput(event.getAggregateId(), serializer.serialize(Topics.EVENTS.name(), event));
        }
        events.pipeInput(B, "not avro".getBytes(StandardCharsets.UTF_8));
    }

    private static int count(KeyValueStore<String, ?> store) {
        int count = 0;
        try (var all = store.all()) {
            while (all.hasNext()) {
                all.next();
                count++;
            }
        }
        return count;
    }
}
