package dev.eventbank.projection.snapshots;

import dev.eventbank.support.testing.Events;
import dev.eventbank.support.testing.Events;
import dev.eventbank.projection.TestDriverConfig;
import dev.eventbank.projection.pipeline.LogProgress;
import dev.eventbank.projection.pipeline.ReadSideTopology;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.readmodel.AccountSnapshot;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotsTest {

    private static final Instant T0 = Instant.parse("2025-01-01T10:00:00Z");

    @TempDir
    Path stateDir;

    @Test
    void shouldBeDueEveryNEventsWhenCountingOnly() {
        Snapshots.Policy policy = Snapshots.Policy.everyEvents(3);
        assertFalse(policy.due(state(2, T0, T0.plusSeconds(3600)), null));
        assertTrue(policy.due(state(3, T0, T0), null));
        assertFalse(Snapshots.Policy.everyEvents(0).due(state(3, T0, T0), null));
    }

    @Test
    void shouldBeDueAfterTheActivityPeriodSinceTheLastSnapshotOrTheOpening() {
        Snapshots.Policy policy = new Snapshots.Policy(0, Duration.ofMinutes(10));
        assertFalse(policy.due(state(2, T0, T0.plusSeconds(599)), null));
        assertTrue(policy.due(state(2, T0, T0.plusSeconds(600)), null));
        assertFalse(policy.due(state(9, T0, T0.plusSeconds(900)), T0.plusSeconds(600)));
        assertTrue(policy.due(state(9, T0, T0.plusSeconds(1200)), T0.plusSeconds(600)));
    }

    @Test
    void shouldCarryTheEmailAndAccountTypeThroughASnapshot() {
        // given
        AccountState state = state(3, T0, T0);
        state.setEmail("ada@example.com");
        state.setAccountType(dev.eventbank.schemas.common.AccountType.SAVINGS);

        // when
        AccountSnapshot snapshot = Snapshots.of(state, 0, 7);

        // then
        assertEquals("ada@example.com", snapshot.getEmail());
        assertEquals(state, Snapshots.toState(snapshot));
    }

    @Test
    void shouldIgnoreASnapshotOfSchemaVersion1WhichLacksEmailAndAccountType() {
        AccountSnapshot snapshot = Snapshots.of(state(3, T0, T0), 0, 7);
        snapshot.setSchemaVersion(1);
        assertNull(Snapshots.toState(snapshot));
    }

    @Test
    void shouldIgnoreASnapshotOfAnotherSchemaVersion() {
        AccountSnapshot snapshot = Snapshots.of(state(3, T0, T0), 0, 7);
        assertEquals(state(3, T0, T0), Snapshots.toState(snapshot));
        snapshot.setSchemaVersion(Snapshots.SCHEMA_VERSION + 1);
        assertNull(Snapshots.toState(snapshot));
    }

    @Test
    void shouldSnapshotByEventTimeWhenTheProjectionRunsWithAnActivityPeriod() {
        // given: events one second apart (Events stamps version n at T0 + n s), a snapshot every 3 s of activity
        SchemaRegistryClient registry = SchemaRegistryClients.forUrl("mock://snapshots-test-" + UUID.randomUUID());
        Serde<BankAccountEvent> eventSerde = AvroSerdes.value(BankAccountEvent.class, registry);
        StreamsBuilder builder = new StreamsBuilder();
        ReadSideTopology.build(builder, registry, new Snapshots.Policy(0, Duration.ofSeconds(3)), new LogProgress());
        Properties properties = TestDriverConfig.of("snapshots-test", stateDir);
        String id = UUID.randomUUID().toString();
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), properties)) {
            TestInputTopic<String, byte[]> events = driver.createInputTopic(Topics.EVENTS.name(), new StringSerializer(),
                    new ByteArraySerializer());
            var snapshots = driver.createOutputTopic(Topics.SNAPSHOTS.name(), new StringDeserializer(),
                    AvroSerdes.value(AccountSnapshot.class, registry).deserializer());

            // when
            events.pipeInput(id, eventSerde.serializer().serialize(Topics.EVENTS.name(), Events.opened(id, "1")));
            for (int v = 2; v <= 8; v++) {
                events.pipeInput(id, eventSerde.serializer().serialize(Topics.EVENTS.name(),
                        Events.deposited(id, v, "1", String.valueOf(v))));
            }

            // then: opened at T0+1 s, so due at T0+4 s (version 4), then 3 s later (version 7)
            assertEquals(List.of(4L, 7L), snapshots.readValuesToList().stream().map(AccountSnapshot::getVersion).toList());
        }
    }

    private static AccountState state(long version, Instant openedAt, Instant updatedAt) {
        return AccountState.newBuilder().setAccountId("a").setAccountNumber("n").setOwner("o").setCurrency("EUR")
                .setBalance(new java.math.BigDecimal("1.0000")).setStatus(dev.eventbank.schemas.common.AccountStatus.OPEN)
                .setVersion(version).setOpenedAt(openedAt).setUpdatedAt(updatedAt).build();
    }
}
