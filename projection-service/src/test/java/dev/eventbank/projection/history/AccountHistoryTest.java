package dev.eventbank.projection.history;

import dev.eventbank.support.testing.Events;
import dev.eventbank.support.testing.Events;
import dev.eventbank.projection.TestDriverConfig;
import dev.eventbank.projection.pipeline.ReadSideTopology;
import dev.eventbank.projection.snapshots.SnapshotProjection;
import dev.eventbank.projection.state.AccountStateProjection;
import dev.eventbank.schemas.readmodel.AccountStateView;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.common.AccountType;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The history read model, one test per event type: its evolve adds the event's wire bytes under the account and
 * version, and the projection's history then gives the event back (upcast) in the timeline and folds back, in time
 * travel, to the state the account state fold made of it (TopologyTestDriver, no snapshots).
 */
class AccountHistoryTest {

    private static final String ID = "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b";

    @TempDir
    Path stateDir;

    private SchemaRegistryClient registry;
    private Serde<BankAccountEvent> eventSerde;
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> events;
    private AccountTimeline timeline;
    private AccountState state;

    @BeforeEach
    void startDriver() {
        registry = SchemaRegistryClients.forUrl("mock://history-test-" + UUID.randomUUID());
        eventSerde = AvroSerdes.value(BankAccountEvent.class, registry);
        StreamsBuilder builder = new StreamsBuilder();
        ReadSideTopology.build(builder, registry, 0);
        driver = new TopologyTestDriver(builder.build(), TestDriverConfig.of("history-test", stateDir));
        events = driver.createInputTopic(Topics.EVENTS.name(), new StringSerializer(), new ByteArraySerializer());
        timeline = new AccountTimeline(() -> driver.getKeyValueStore(AccountStateProjection.STORE),
                () -> driver.getKeyValueStore(AccountHistoryProjection.STORE),
                () -> driver.getKeyValueStore(SnapshotProjection.STORE), eventSerde.deserializer());
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    @Test
    void shouldRecordTheEventWhenAccountOpened() {
        assertRecordedAndFolded(Events.opened(ID, "100.00", "ada@example.com", AccountType.SAVINGS));
    }

    @Test
    void shouldRecordTheOriginalBytesAndReadThemUpcastWhenAVersion1AccountOpenedArrives() {
        // given
        byte[] v1 = Events.version1Opened(registry, ID, "10.00");

        // when
        events.pipeInput(ID, v1);

        // then: the history keeps the bytes as written; read back, the event is of the current version
        assertArrayEquals(v1, driver.<String, byte[]>getKeyValueStore(AccountHistoryProjection.STORE).get(HistoryKeys.key(ID, 1)));
        BankAccountEvent read = timeline.events(ID, 1, 10).items().get(0);
        assertEquals(AccountType.CHECKING, ((dev.eventbank.schemas.events.AccountOpened) read.getPayload()).getAccountType());
        BankAccountEvent later = Events.deposited(ID, 2, "0.01", "10.01");
        events.pipeInput(ID, eventSerde.serializer().serialize(Topics.EVENTS.name(), later));
        AccountState opened = found(timeline.asOfVersion(ID, 1));
        assertEquals(AccountType.CHECKING, opened.getAccountType());
        assertNull(opened.getEmail());
    }

    @Test
    void shouldRefuseAVersionBelow1ForTimeTravel() {
        // given
        events.pipeInput(ID, eventSerde.serializer().serialize(Topics.EVENTS.name(), Events.opened(ID, "100.00")));

        // when / then: there is no state before the opening, and a negative version would not sort as a key
        for (long version : new long[] {0, -1, Long.MIN_VALUE}) {
            IllegalArgumentException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> timeline.asOfVersion(ID, version));
            assertEquals("version must be >= 1, was " + version, refused.getMessage());
        }
    }

    @Test
    void shouldRecordTheEventWhenMoneyDeposited() {
        assertRecordedAndFolded(Events.opened(ID, "100.00"), Events.deposited(ID, 2, "2.50", "102.50"));
    }

    @Test
    void shouldRecordTheEventWhenMoneyWithdrawn() {
        assertRecordedAndFolded(Events.opened(ID, "100.00"), Events.withdrawn(ID, 2, "2.50", "97.50"));
    }

    @Test
    void shouldRecordTheEventWhenAccountClosed() {
        assertRecordedAndFolded(Events.opened(ID, "0.00"), Events.closed(ID, 2));
    }

    @Test
    void shouldKeepTheOwnerWhenTimeTravelStartsFromASnapshot() {
        // given: snapshots every 2 events (a snapshot carries no owner)
        driver.close();
        StreamsBuilder builder = new StreamsBuilder();
        ReadSideTopology.build(builder, registry, 2);
        driver = new TopologyTestDriver(builder.build(), TestDriverConfig.of("history-owner-test", stateDir.resolve("owner")));
        events = driver.createInputTopic(Topics.EVENTS.name(), new StringSerializer(), new ByteArraySerializer());
        timeline = new AccountTimeline(() -> driver.getKeyValueStore(AccountStateProjection.STORE),
                () -> driver.getKeyValueStore(AccountHistoryProjection.STORE),
                () -> driver.getKeyValueStore(SnapshotProjection.STORE), eventSerde.deserializer());
        append(Events.openedFor(ID, "100.00", "customer-42"));
        append(Events.deposited(ID, 2, "1.00", "101.00"));
        append(Events.deposited(ID, 3, "1.00", "102.00"));
        append(Events.deposited(ID, 4, "1.00", "103.00"));

        // when: version 2 is a snapshot, version 3 folds on top of it
        AccountState atSnapshot = found(timeline.asOfVersion(ID, 2));
        AccountState afterSnapshot = found(timeline.asOfVersion(ID, 3));

        // then
        assertEquals(2, assertInstanceOf(AccountTimeline.AsOf.Found.class, timeline.asOfVersion(ID, 2)).snapshotVersion());
        assertEquals("customer-42", atSnapshot.getOwnerId());
        assertEquals("customer-42", afterSnapshot.getOwnerId());
        assertEquals(new java.math.BigDecimal("102.0000"), afterSnapshot.getBalance());
    }

    /** Appends {@code log}; checks the evolve, the store, the timeline and time travel for its last event. */
    private void assertRecordedAndFolded(BankAccountEvent... log) {
        // given
        for (int i = 0; i < log.length - 1; i++) {
            append(log[i]);
        }
        BankAccountEvent event = log[log.length - 1];
        byte[] wire = eventSerde.serializer().serialize(Topics.EVENTS.name(), event);

        // when
        AccountHistoryView.Entry entry = AccountHistoryView.evolve(event, wire);
        events.pipeInput(ID, wire);

        // then
        assertEquals(ID + ":" + String.format("%019d", event.getVersion()), entry.key());
        assertArrayEquals(wire, entry.wire());
        assertArrayEquals(wire, driver.<String, byte[]>getKeyValueStore(AccountHistoryProjection.STORE).get(entry.key()));
        List<BankAccountEvent> page = timeline.events(ID, event.getVersion(), 10).items();
        assertEquals(List.of(event), page);
        // then: with a later event on top, time travel to this one folds the history (no snapshots here)
        AccountState expected = assertInstanceOf(AccountStateView.Fold.Applied.class, AccountStateView.evolve(state, event)).state();
        state = expected;
        append(Events.deposited(ID, event.getVersion() + 1, "0.01", "1000.00"));
        assertEquals(expected, found(timeline.asOfVersion(ID, event.getVersion())));
        assertEquals(expected, found(timeline.asOf(ID, event.getOccurredAt())));
    }

    private void append(BankAccountEvent event) {
        events.pipeInput(event.getAggregateId(), eventSerde.serializer().serialize(Topics.EVENTS.name(), event));
        state = assertInstanceOf(AccountStateView.Fold.Applied.class, AccountStateView.evolve(state, event)).state();
    }

    private static AccountState found(AccountTimeline.AsOf asOf) {
        return assertInstanceOf(AccountTimeline.AsOf.Found.class, asOf).state();
    }
}
