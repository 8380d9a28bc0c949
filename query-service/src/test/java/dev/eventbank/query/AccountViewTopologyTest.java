package dev.eventbank.query;

import dev.eventbank.support.readyourwrites.VersionWaiters;
import dev.eventbank.schemas.catalog.Stores;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.common.AccountStatus;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import dev.eventbank.support.testing.RegistryStandIn;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The query service's view on TopologyTestDriver: states from {@code bank-account-state} into the global
 * {@code account-view-store}, where an older state never replaces a newer one (a rebuild's re-publish, a re-delivery)
 * and only the states kept wake up the readers waiting for a version.
 */
class AccountViewTopologyTest {

    private static final String ID = "6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d";
    private static final Instant OPENED = Instant.parse("2025-01-01T10:00:00Z");

    @TempDir
    Path stateDir;

    private final VersionWaiters waiters = new VersionWaiters(100);
    private TopologyTestDriver driver;
    private TestInputTopic<String, AccountState> states;
    private KeyValueStore<String, AccountState> view;

    @BeforeEach
    void startDriver() {
        SchemaRegistryClient registry = SchemaRegistryClients.forUrl("mock://account-view-test-" + UUID.randomUUID());
        StreamsBuilder builder = new StreamsBuilder();
        AccountViewTopology.build(builder, registry, waiters::updated);
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "account-view-test");
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(builder.build(), properties);
        states = driver.createInputTopic(Topics.STATE.name(), new StringSerializer(),
                AvroSerdes.value(AccountState.class, registry).serializer());
        view = driver.getKeyValueStore(Stores.ACCOUNT_VIEW);
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    @Test
    void shouldKeepTheNewerStateWhenAnOlderOneArrivesAfterIt() {
        // given
        states.pipeInput(ID, state(3, "130.00"));

        // when: version 2 comes later (e.g. a re-publish of an older generation, or a stale record)
        CompletableFuture<Long> waitingFor2 = waiters.await(ID, 2);
        states.pipeInput(ID, state(2, "120.00"));

        // then: the view still has version 3, and the ignored state woke nobody up (a reader woken by it would
        // read the view and find version 3: harmless, but the rule is that only stored states signal)
        assertEquals(3L, view.get(ID).getVersion());
        assertEquals(new BigDecimal("130.0000"), view.get(ID).getBalance());
        assertFalse(waitingFor2.isDone());
    }

    @Test
    void shouldTakeEachNewerStateAndWakeUpTheReadersWaitingForIt() {
        // given
        CompletableFuture<Long> waitingFor2 = waiters.await(ID, 2);

        // when
        states.pipeInput(ID, state(1, "100.00"));
        boolean doneAtVersion1 = waitingFor2.isDone();
        states.pipeInput(ID, state(2, "110.00"));

        // then
        assertFalse(doneAtVersion1);
        assertTrue(waitingFor2.isDone());
        assertEquals(2L, waitingFor2.join());
        assertEquals(2L, view.get(ID).getVersion());
    }

    @Test
    void shouldAcceptTheSameVersionAgainWhenARebuildRepublishesIt() {
        // given
        states.pipeInput(ID, state(2, "110.00"));

        // when: the rebuilt generation re-publishes version 2, now with the fields the new code fills in
        AccountState republished = state(2, "110.00");
        republished.setEmail("ada@example.com");
        states.pipeInput(ID, republished);

        // then
        assertEquals("ada@example.com", view.get(ID).getEmail());
    }

    @Test
    void shouldDeleteTheAccountWhenATombstoneArrives() {
        // given
        states.pipeInput(ID, state(1, "100.00"));

        // when
        states.pipeInput(ID, (AccountState) null);

        // then
        assertNull(view.get(ID));
    }

    @Test
    void shouldKeepEachOwnedAccountInItsOwnersIndexEntryAndMoveItOrDropItWithTheAccount() {
        // when: an owned account, a newer state of it, an older one (ignored), an account without an owner
        AccountState first = state(1, "100.00");
        first.setOwnerId("customer-1");
        states.pipeInput(ID, first);
        AccountState second = state(2, "110.00");
        second.setOwnerId("customer-1");
        states.pipeInput(ID, second);
        states.pipeInput(ID, first);
        String unowned = "0a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d";
        states.pipeInput(unowned, withId(state(1, "5.00"), unowned));

        // then: the index entry holds the stored (newer) state; the account without an owner has none
        assertEquals(2L, view.get(OwnerIndex.key("customer-1", ID)).getVersion());
        assertEquals(List.of(OwnerIndex.key("customer-1", ID)), indexKeys());

        // when: its owner changes, then a tombstone
        AccountState moved = state(3, "110.00");
        moved.setOwnerId("customer-2");
        states.pipeInput(ID, moved);
        List<String> afterMove = indexKeys();
        states.pipeInput(ID, (AccountState) null);

        // then
        assertEquals(List.of(OwnerIndex.key("customer-2", ID)), afterMove);
        assertEquals(List.of(), indexKeys());
    }

    @Test
    void shouldRangeOverOneOwnersEntriesOnlyWhateverTheOwnerIdsHold() {
        // owner ids that are prefixes of each other or hold the separator must not reach into each other's range
        for (String owner : List.of("c", "c:", "c:1", "c1", "~", "")) {
            String from = OwnerIndex.ownerPrefix(owner);
            String to = OwnerIndex.ownerEnd(owner);
            for (String other : List.of("c", "c:", "c:1", "c1", "~", "")) {
                String key = OwnerIndex.key(other, ID);
                boolean inRange = utf8(key).compareTo(utf8(from)) >= 0 && utf8(key).compareTo(utf8(to)) <= 0;
                assertEquals(owner.equals(other), inRange, owner + " / " + other);
            }
            // and never an account id
            assertTrue(utf8(ID).compareTo(utf8(from)) < 0 && utf8(ID).compareTo(utf8(OwnerIndex.ACCOUNTS_END)) < 0);
        }
    }

    @Test
    void shouldIgnoreAStateWhoseKeyIsNoAccountId() {
        // when: a key that would sort among the index entries
        states.pipeInput(OwnerIndex.key("customer-1", ID), state(1, "100.00"));

        // then
        assertNull(view.get(OwnerIndex.key("customer-1", ID)));
    }

    @Test
    void shouldWriteTheMissingIndexEntriesOfAStoreWrittenWithoutThemWhenTheViewStarts() {
        // given: the store of a view from before the index, with an owned account and no entry for it
        AccountState owned = state(4, "140.00");
        owned.setOwnerId("customer-9");
        view.put(ID, owned);
        assertNull(view.get(OwnerIndex.key("customer-9", ID)));

        // when
        long written = OwnerIndex.repair(view);

        // then: written once; a second start finds nothing to do
        assertEquals(1, written);
        assertEquals(4L, view.get(OwnerIndex.key("customer-9", ID)).getVersion());
        assertEquals(0, OwnerIndex.repair(view));
    }

    private List<String> indexKeys() {
        List<String> keys = new java.util.ArrayList<>();
        try (var all = view.all()) {
            all.forEachRemaining(entry -> {
                if (entry.key.startsWith("~")) {
                    keys.add(entry.key);
                }
            });
        }
        return keys;
    }

    /** The key as the store orders it: its UTF-8 bytes, unsigned, as text of code points below 256. */
    private static String utf8(String key) {
        return new String(key.getBytes(java.nio.charset.StandardCharsets.UTF_8), java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static AccountState withId(AccountState state, String id) {
        state.setAccountId(id);
        return state;
    }

    @Test
    void shouldWaitForAFailingRegistryRatherThanSkipAValidState() throws Exception {
        try (RegistryStandIn registry = new RegistryStandIn()) {
            // given: a view whose registry client has not fetched the state's writer schema, and a registry that is
            // rate-limited for a while
            StreamsBuilder builder = new StreamsBuilder();
            AccountViewTopology.build(builder, registry.client(), waiters::updated);
            Properties properties = new Properties();
            properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "account-view-registry-test");
            properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
            properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve("registry").toString());
            try (TopologyTestDriver failing = new TopologyTestDriver(builder.build(), properties)) {
                TestInputTopic<String, AccountState> input = failing.createInputTopic(Topics.STATE.name(),
                        new StringSerializer(), AvroSerdes.value(AccountState.class, registry.held()).serializer());
                registry.failSchemaFetches(new RegistryStandIn.Failure(429,
                        "{\"error_code\":429,\"message\":\"Too Many Requests\"}"));
                ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
                try {
                    later.schedule(() -> registry.failSchemaFetches(null), 700, TimeUnit.MILLISECONDS);

                    // when
                    input.pipeInput(ID, state(4, "140.00"));
                } finally {
                    later.shutdownNow();
                }

                // then: asked again until it answered, and the state is in the view
                assertTrue(registry.schemaFetches() >= 2, "fetches: " + registry.schemaFetches());
                KeyValueStore<String, AccountState> store = failing.getKeyValueStore(Stores.ACCOUNT_VIEW);
                assertEquals(4L, store.get(ID).getVersion());
            }
        }
    }

    @Test
    void shouldSkipAStateThatIsNotInTheWireFormat() {
        // when
        driver.createInputTopic(Topics.STATE.name(), new StringSerializer(), new ByteArraySerializer())
                .pipeInput(ID, "not avro".getBytes(StandardCharsets.UTF_8));
        states.pipeInput(ID, state(1, "100.00"));

        // then: the next state is taken
        assertEquals(1L, view.get(ID).getVersion());
    }

    private static AccountState state(long version, String balance) {
        return AccountState.newBuilder().setAccountId(ID).setAccountNumber("NL00EVBK0000000001").setOwner("Ada Lovelace")
                .setCurrency("EUR").setBalance(new BigDecimal(balance).setScale(4)).setStatus(AccountStatus.OPEN)
                .setVersion(version).setOpenedAt(OPENED).setUpdatedAt(OPENED.plusSeconds(version)).build();
    }
}
