package dev.eventbank.projection.pipeline;

import dev.eventbank.support.testing.Events;
import dev.eventbank.support.testing.Events;
import dev.eventbank.projection.TestDriverConfig;
import dev.eventbank.projection.history.AccountHistoryProjection;
import dev.eventbank.projection.history.AccountTimeline;
import dev.eventbank.projection.history.HistoryKeys;
import dev.eventbank.projection.snapshots.SnapshotProjection;
import dev.eventbank.projection.snapshots.Snapshots;
import dev.eventbank.projection.totals.BankTotalsProjection;
import dev.eventbank.schemas.catalog.Stores;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.common.AccountStatus;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.readmodel.AccountSnapshot;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.readmodel.BankTotals;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** History, snapshots, time travel and bank totals of the projection, on TopologyTestDriver (snapshot every 3). */
class ReadSideProjectionTest {

    private static final String ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
    private static final int EVERY = 3;

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private Serde<BankAccountEvent> eventSerde;
    private TestInputTopic<String, byte[]> events;
    private TestOutputTopic<String, AccountState> states;
    private TestOutputTopic<String, AccountSnapshot> snapshotTopic;
    private TestOutputTopic<String, BankTotals> totalsTopic;
    private AccountTimeline timeline;

    @BeforeEach
    void startDriver() {
        SchemaRegistryClient registry = SchemaRegistryClients.forUrl("mock://read-side-test-" + UUID.randomUUID());
        eventSerde = AvroSerdes.value(BankAccountEvent.class, registry);
        StreamsBuilder builder = new StreamsBuilder();
        ReadSideTopology.build(builder, registry, EVERY);
        Properties properties = TestDriverConfig.exactlyOnce("read-side-test", stateDir);
        driver = new TopologyTestDriver(builder.build(), properties);
        events = driver.createInputTopic(Topics.EVENTS.name(), new StringSerializer(), new ByteArraySerializer());
        states = driver.createOutputTopic(Topics.STATE.name(), new StringDeserializer(),
                AvroSerdes.value(AccountState.class, registry).deserializer());
        snapshotTopic = driver.createOutputTopic(Topics.SNAPSHOTS.name(), new StringDeserializer(),
                AvroSerdes.value(AccountSnapshot.class, registry).deserializer());
        totalsTopic = driver.createOutputTopic(BankTotalsProjection.TOPIC, new StringDeserializer(),
                AvroSerdes.value(BankTotals.class, registry).deserializer());
        timeline = new AccountTimeline(() -> driver.getKeyValueStore(Stores.ACCOUNT_STATE),
                () -> driver.getKeyValueStore(AccountHistoryProjection.STORE),
                () -> driver.getKeyValueStore(SnapshotProjection.STORE),
                eventSerde.deserializer());
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    @Test
    void shouldPageThroughTheHistoryInVersionOrderWhenEventsAreAppended() {
        // given
        List<BankAccountEvent> appended = appendAccount(ID, 7);
        append(Events.opened(UUID.randomUUID().toString(), "5")); // another account: never in this one's pages

        // when
        AccountTimeline.Page first = timeline.events(ID, 1, 3);
        AccountTimeline.Page second = timeline.events(ID, first.next(), 3);
        AccountTimeline.Page last = timeline.events(ID, second.next(), 3);

        // then
        assertEquals(List.of(1L, 2L, 3L), versions(first));
        assertEquals(List.of(4L, 5L, 6L), versions(second));
        assertEquals(List.of(7L), versions(last));
        assertNull(last.next());
        assertEquals(appended.get(4).getEventId(), second.items().get(1).getEventId());
        assertEquals(List.of(), timeline.events(ID, 8, 3).items());
        assertNull(timeline.events(UUID.randomUUID().toString(), 1, 3));
    }

    @Test
    void shouldSnapshotEveryNEventsWithTheLogPositionItCovers() {
        // when
        appendAccount(ID, 7);

        // then
        List<KeyValue<String, AccountSnapshot>> published = snapshotTopic.readKeyValuesToList();
        assertEquals(List.of(3L, 6L), published.stream().map(kv -> kv.value.getVersion()).toList());
        AccountSnapshot six = published.get(1).value;
        assertEquals(ID, published.get(1).key);
        assertEquals(5L, six.getLogOffset()); // the 6th record of partition 0
        assertEquals(0, six.getLogPartition());
        assertEquals(Snapshots.SCHEMA_VERSION, six.getSchemaVersion());
        assertTrue(six.getProducedBy().startsWith("projection-service/"), six.getProducedBy());
        assertEquals(six, snapshotStore().get(HistoryKeys.key(ID, 6)));
    }

    @Test
    void shouldFoldTheSameStatesAsTheProjectionWhenTravellingInTimeAcrossSnapshots() {
        // given
        appendAccount(ID, 8);
        List<AccountState> published = states.readValuesToList();

        // when / then: every version, whether a snapshot covers it or not
        for (AccountState expected : published) {
            AccountTimeline.AsOf byVersion = timeline.asOfVersion(ID, expected.getVersion());
            assertEquals(expected, assertInstanceOf(AccountTimeline.AsOf.Found.class, byVersion).state());
            AccountTimeline.AsOf byInstant = timeline.asOf(ID, expected.getUpdatedAt().plusMillis(500));
            assertEquals(expected, assertInstanceOf(AccountTimeline.AsOf.Found.class, byInstant).state());
        }
        assertEquals(6, ((AccountTimeline.AsOf.Found) timeline.asOfVersion(ID, 7)).snapshotVersion());
        assertEquals(new AccountTimeline.AsOf.BeyondCurrent(8), timeline.asOfVersion(ID, 9));
        assertInstanceOf(AccountTimeline.AsOf.NotFound.class, timeline.asOf(ID, Events.T0));
        assertInstanceOf(AccountTimeline.AsOf.NotFound.class, timeline.asOfVersion(UUID.randomUUID().toString(), 1));
    }

    @Test
    void shouldIgnoreASnapshotOfAnUnknownSchemaVersionWhenTravellingInTime() {
        // given
        appendAccount(ID, 7);
        AccountState expected = ((AccountTimeline.AsOf.Found) timeline.asOfVersion(ID, 7)).state();
        AccountSnapshot untrusted = AccountSnapshot.newBuilder(snapshotStore().get(HistoryKeys.key(ID, 6)))
                .setSchemaVersion(99).setBalance(new BigDecimal("999999.0000")).build();
        snapshotStore().put(HistoryKeys.key(ID, 6), untrusted);

        // when
        AccountTimeline.AsOf found = timeline.asOfVersion(ID, 6);

        // then: folded from the v3 snapshot, not from the untrusted v6 one
        AccountTimeline.AsOf.Found state = assertInstanceOf(AccountTimeline.AsOf.Found.class, found);
        assertEquals(3, state.snapshotVersion());
        assertEquals(6, state.state().getVersion());
        assertEquals(expected.getOpenedAt(), state.state().getOpenedAt());
        assertTrue(state.state().getBalance().compareTo(new BigDecimal("999999")) < 0);
    }

    @Test
    void shouldChangeNoStoreOrTopicWhenEventsAreRedelivered() {
        // given
        List<BankAccountEvent> appended = appendAccount(ID, 6);
        states.readValuesToList();
        snapshotTopic.readValuesToList();
        totalsTopic.readValuesToList();
        Map<String, Object> before = contents();

        // when
        appended.forEach(this::append);

        // then
        assertTrue(states.isEmpty());
        assertTrue(snapshotTopic.isEmpty());
        assertTrue(totalsTopic.isEmpty());
        assertEquals(before, contents());
    }

    @Test
    void shouldKeepTotalsEqualToTheSumOfAllAccountsWhenTheLogIsReplayed() {
        // given: 20 accounts, random deposits and withdrawals, some closed, every event delivered twice
        Random random = new Random(42);
        List<BankAccountEvent> log = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            log.addAll(randomAccount(UUID.randomUUID().toString(), random, i % 2 == 0 ? "EUR" : "USD", i % 5 == 0));
        }

        // when
        log.forEach(this::append);
        log.forEach(this::append);

        // then
        Map<String, BigDecimal> balances = new HashMap<>();
        Map<String, Long> counts = new HashMap<>();
        try (KeyValueIterator<String, AccountState> all = driver.<String, AccountState>getKeyValueStore(Stores.ACCOUNT_STATE).all()) {
            all.forEachRemaining(kv -> {
                balances.merge(kv.value.getCurrency(), kv.value.getBalance(), BigDecimal::add);
                counts.merge(kv.value.getStatus().name(), 1L, Long::sum);
            });
        }
        BankTotals totals = driver.<String, BankTotals>getKeyValueStore(BankTotalsProjection.STORE).get(BankTotalsProjection.KEY);
        assertEquals(balances, totals.getBalances());
        assertEquals(counts, totals.getAccountsByStatus());
        assertEquals(log.size(), totals.getEventsApplied());
        assertEquals(Map.of("OPEN", 16L, "CLOSED", 4L), totals.getAccountsByStatus());
    }

    @Test
    void shouldSumBalancesPastTenToTheEighteenExactlyAndKeepProjectingWhenAccountsAreLarge() {
        // given: three accounts whose balances each fit decimal(22,4) but sum past 10^18 in CHF (version 1's limit)
        String big = "999999999999999999.9999";
        List<String> ids = List.of(UUID.randomUUID().toString(), UUID.randomUUID().toString(), UUID.randomUUID().toString());
        for (String id : ids) {
            BankAccountEvent opened = Events.opened(id, big);
            ((dev.eventbank.schemas.events.AccountOpened) opened.getPayload()).setCurrency("CHF");
            append(opened);
        }

        // when: a later event of another account
        String later = UUID.randomUUID().toString();
        append(Events.opened(later, "10.00"));

        // then: the sum is exact on the topic and in the store, and the later event was projected behind it
        BankTotals expected = new BankTotals(Map.of("CHF", new BigDecimal("2999999999999999999.9997"),
                "EUR", new BigDecimal("10.0000")), Map.of("OPEN", 4L), 4L, Events.T0.plusSeconds(1));
        List<BankTotals> published = totalsTopic.readValuesToList();
        assertEquals(expected, published.get(published.size() - 1));
        assertEquals(expected, driver.<String, BankTotals>getKeyValueStore(BankTotalsProjection.STORE).get(BankTotalsProjection.KEY));
        assertEquals(new BigDecimal("10.0000"), driver.<String, AccountState>getKeyValueStore(Stores.ACCOUNT_STATE).get(later).getBalance());
    }

    private List<BankAccountEvent> randomAccount(String id, Random random, String currency, boolean close) {
        List<BankAccountEvent> log = new ArrayList<>();
        BigDecimal balance = new BigDecimal(random.nextInt(1000) + ".25");
        BankAccountEvent opened = Events.opened(id, balance.toPlainString());
        ((dev.eventbank.schemas.events.AccountOpened) opened.getPayload()).setCurrency(currency);
        log.add(opened);
        int count = 1 + random.nextInt(6);
        for (int v = 2; v <= count + 1; v++) {
            BigDecimal amount = new BigDecimal(random.nextInt(100) + ".10");
            boolean deposit = random.nextBoolean() || balance.compareTo(amount) < 0;
            balance = deposit ? balance.add(amount) : balance.subtract(amount);
            BankAccountEvent event = deposit
                    ? Events.deposited(id, v, amount.toPlainString(), balance.toPlainString())
                    : Events.withdrawn(id, v, amount.toPlainString(), balance.toPlainString());
            if (event.getPayload() instanceof dev.eventbank.schemas.events.MoneyDeposited d) {
                d.setCurrency(currency);
            } else if (event.getPayload() instanceof dev.eventbank.schemas.events.MoneyWithdrawn w) {
                w.setCurrency(currency);
            }
            log.add(event);
        }
        if (close) {
            log.add(Events.closed(id, count + 2));
        }
        return log;
    }

    /** Opens the account and makes deposits until it is at {@code version}; returns the events. */
    private List<BankAccountEvent> appendAccount(String id, int version) {
        List<BankAccountEvent> appended = new ArrayList<>();
        appended.add(Events.opened(id, "100.00"));
        for (int v = 2; v <= version; v++) {
            appended.add(Events.deposited(id, v, "1.00", (99 + v) + ".00"));
        }
        appended.forEach(this::append);
        return appended;
    }

    private Map<String, Object> contents() {
        Map<String, Object> contents = new HashMap<>();
        for (String store : List.of(Stores.ACCOUNT_STATE, AccountHistoryProjection.STORE,
                SnapshotProjection.STORE, BankTotalsProjection.STORE)) {
            try (KeyValueIterator<String, Object> all = driver.<String, Object>getKeyValueStore(store).all()) {
                all.forEachRemaining(kv -> contents.put(store + "/" + kv.key,
                        kv.value instanceof byte[] bytes ? java.util.Arrays.toString(bytes) : kv.value));
            }
        }
        return contents;
    }

    private KeyValueStore<String, AccountSnapshot> snapshotStore() {
        return driver.getKeyValueStore(SnapshotProjection.STORE);
    }

    private static List<Long> versions(AccountTimeline.Page page) {
        return page.items().stream().map(BankAccountEvent::getVersion).toList();
    }

    private void append(BankAccountEvent event) {
        events.pipeInput(event.getAggregateId(), eventSerde.serializer().serialize(Topics.EVENTS.name(), event));
    }
}
