package dev.eventbank.projection.history;

import dev.eventbank.support.testing.Events;
import dev.eventbank.support.testing.Events;
import dev.eventbank.projection.TestDriverConfig;
import dev.eventbank.projection.pipeline.ReadSideTopology;
import dev.eventbank.projection.snapshots.SnapshotProjection;
import dev.eventbank.schemas.catalog.Stores;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.readmodel.AccountSnapshot;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.NoSuchElementException;
import java.util.Properties;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * Benchmark, not a test (the name does not match Surefire's includes, so {@code verify} never runs it): time to
 * reconstruct an account's state as of its last-but-one version, with snapshots every 100 events and without,
 * for accounts with 10, 1,000 and 100,000 events, on RocksDB stores filled by the real topology.
 * Run: {@code mvn -q -pl projection-service test -Dtest=ReconstructionBench}. Prints figures; asserts nothing
 * about time.
 */
class ReconstructionBench {

    @TempDir
    Path stateDir;

    @Test
    void printReconstructionTimes() {
        SchemaRegistryClient registry = SchemaRegistryClients.forUrl("mock://bench-" + UUID.randomUUID());
        Serde<BankAccountEvent> eventSerde = AvroSerdes.value(BankAccountEvent.class, registry);
        StreamsBuilder builder = new StreamsBuilder();
        ReadSideTopology.build(builder, registry, 100);
        Properties properties = TestDriverConfig.of("bench", stateDir);
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), properties)) {
            TestInputTopic<String, byte[]> events = driver.createInputTopic(Topics.EVENTS.name(), new StringSerializer(),
                    new ByteArraySerializer());
            AccountTimeline withSnapshots = new AccountTimeline(() -> driver.getKeyValueStore(Stores.ACCOUNT_STATE),
                    () -> driver.getKeyValueStore(AccountHistoryProjection.STORE),
                    () -> driver.getKeyValueStore(SnapshotProjection.STORE), eventSerde.deserializer());
            AccountTimeline withoutSnapshots = new AccountTimeline(() -> driver.getKeyValueStore(Stores.ACCOUNT_STATE),
                    () -> driver.getKeyValueStore(AccountHistoryProjection.STORE), NoSnapshots::new,
                    eventSerde.deserializer());
            System.out.printf("%-10s %-18s %-18s%n", "events", "with snapshots", "without snapshots");
            for (int count : new int[] {10, 1_000, 100_000}) {
                String id = UUID.randomUUID().toString();
                events.pipeInput(id, eventSerde.serializer().serialize(Topics.EVENTS.name(), Events.opened(id, "0")));
                for (int v = 2; v <= count; v++) {
                    events.pipeInput(id, eventSerde.serializer().serialize(Topics.EVENTS.name(),
                            Events.deposited(id, v, "1", String.valueOf(v - 1))));
                }
                System.out.printf("%-10d %-18s %-18s%n", count, time(withSnapshots, id, count - 1),
                        time(withoutSnapshots, id, count - 1));
            }
        }
    }

    /** Median of 5 runs after 2 warm-ups, in ms. */
    private static String time(AccountTimeline timeline, String id, long version) {
        long[] runs = new long[5];
        for (int i = -2; i < runs.length; i++) {
            long start = System.nanoTime();
            assertInstanceOf(AccountTimeline.AsOf.Found.class, timeline.asOfVersion(id, version));
            if (i >= 0) {
                runs[i] = System.nanoTime() - start;
            }
        }
        java.util.Arrays.sort(runs);
        return String.format("%.3f ms", runs[runs.length / 2] / 1e6);
    }

    /** A snapshot store with nothing in it: time travel folds from version 1. */
    private static final class NoSnapshots implements ReadOnlyKeyValueStore<String, AccountSnapshot> {

        @Override
        public AccountSnapshot get(String key) {
            return null;
        }

        @Override
        public KeyValueIterator<String, AccountSnapshot> range(String from, String to) {
            return new Empty();
        }

        @Override
        public KeyValueIterator<String, AccountSnapshot> reverseRange(String from, String to) {
            return new Empty();
        }

        @Override
        public KeyValueIterator<String, AccountSnapshot> all() {
            return new Empty();
        }

        @Override
        public long approximateNumEntries() {
            return 0;
        }
    }

    private static final class Empty implements KeyValueIterator<String, AccountSnapshot> {

        @Override
        public boolean hasNext() {
            return false;
        }

        @Override
        public KeyValue<String, AccountSnapshot> next() {
            throw new NoSuchElementException();
        }

        @Override
        public void close() {
        }

        @Override
        public String peekNextKey() {
            throw new NoSuchElementException();
        }
    }
}
