package dev.eventbank.query;

import dev.eventbank.support.readyourwrites.VersionWaiters;
import dev.eventbank.schemas.catalog.Stores;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.common.AccountStatus;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
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
import java.nio.file.Path;
import java.time.Instant;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

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

    private static AccountState state(long version, String balance) {
        return AccountState.newBuilder().setAccountId(ID).setAccountNumber("NL00EVBK0000000001").setOwner("Ada Lovelace")
                .setCurrency("EUR").setBalance(new BigDecimal(balance).setScale(4)).setStatus(AccountStatus.OPEN)
                .setVersion(version).setOpenedAt(OPENED).setUpdatedAt(OPENED.plusSeconds(version)).build();
    }
}
