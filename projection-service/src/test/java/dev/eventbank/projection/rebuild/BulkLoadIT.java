package dev.eventbank.projection.rebuild;

import dev.eventbank.projection.TestDriverConfig;
import dev.eventbank.projection.TestTopics;
import dev.eventbank.projection.history.AccountHistoryProjection;
import dev.eventbank.projection.pipeline.InternalTopicSettings;
import dev.eventbank.projection.pipeline.LogProgress;
import dev.eventbank.projection.pipeline.Publishing;
import dev.eventbank.projection.pipeline.ReadSideTopology;
import dev.eventbank.projection.snapshots.SnapshotProjection;
import dev.eventbank.projection.snapshots.Snapshots;
import dev.eventbank.projection.state.AccountStateProjection;
import dev.eventbank.projection.totals.BankTotalsProjection;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.readmodel.AccountSnapshot;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.readmodel.BankTotals;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import dev.eventbank.support.testing.Events;
import dev.eventbank.support.testing.LogCapture;
import dev.eventbank.support.testing.ServiceUnderTest;
import dev.eventbank.testbroker.TestBroker;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.sun.net.httpserver.HttpServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rebuild's bulk load on a real broker and registry against Kafka Streams itself: the same log (accounts with
 * snapshots by count and by time, a re-delivered event, a version gap, an undecodable record, a key that does not
 * match its event, a tombstone, an aborted transaction) folded by {@link BulkLoad} into changelogs and by the read
 * side's topology in a {@code TopologyTestDriver} into stores must give the same states, history, snapshots and
 * totals, and the group's committed positions must be the log's end.
 */
class BulkLoadIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int PARTITIONS = 3;
    /** Snapshots every 7 versions and after 30 s of event time (the events are a second apart). */
    private static final Snapshots.Policy POLICY = new Snapshots.Policy(7, Duration.ofSeconds(30));

    @TempDir
    Path stateDir;

    private final String bootstrap = TestBroker.shared().bootstrapServers();
    private final SchemaRegistryClient registry = SchemaRegistryClients.forUrl(ServiceUnderTest.sharedRegistryUrl());

    @Test
    void shouldWriteTheChangelogsKafkaStreamsWouldHaveWrittenForTheSameLog() throws Exception {
        // given
        Serde<BankAccountEvent> eventSerde = AvroSerdes.value(BankAccountEvent.class, registry);
        String topic = newTopic(PARTITIONS);
        String applicationId = "bulk-load-it-" + UUID.randomUUID();
        List<KeyValue<String, byte[]>> log = new ArrayList<>();
        for (int account = 0; account < 8; account++) {
            String id = UUID.randomUUID().toString();
            log.add(KeyValue.pair(id, eventSerde.serializer().serialize(topic, Events.opened(id, "10.00"))));
            int deposits = account == 0 ? 80 : 3 + account;
            for (int version = 2; version <= deposits + 1; version++) {
                log.add(KeyValue.pair(id, eventSerde.serializer().serialize(topic,
                        Events.deposited(id, version, "1.25", new java.math.BigDecimal("8.75").add(
                                new java.math.BigDecimal("1.25").multiply(java.math.BigDecimal.valueOf(version))).toPlainString()))));
            }
            if (account == 1) {
                log.add(log.get(log.size() - 2)); // re-delivered: already applied
                log.add(KeyValue.pair(id, eventSerde.serializer().serialize(topic, Events.closed(id, deposits + 2))));
            }
            if (account == 2) {
                // a gap: rejected, and so are the account's later events
                log.add(KeyValue.pair(id, eventSerde.serializer().serialize(topic, Events.deposited(id, deposits + 3, "1", "99"))));
                log.add(KeyValue.pair(id, eventSerde.serializer().serialize(topic, Events.deposited(id, deposits + 4, "1", "100"))));
            }
        }
        String other = UUID.randomUUID().toString();
        log.add(KeyValue.pair(other, "not our wire format".getBytes(StandardCharsets.UTF_8)));
        log.add(KeyValue.pair(other, eventSerde.serializer().serialize(topic, Events.opened(UUID.randomUUID().toString(), "3"))));
        log.add(KeyValue.pair(other, null));
        String aborted = UUID.randomUUID().toString();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, applicationId + "-writer"), new StringSerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (KeyValue<String, byte[]> record : log) {
                producer.send(new ProducerRecord<>(topic, record.key, record.value));
            }
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, aborted, eventSerde.serializer().serialize(topic, Events.opened(aborted, "1"))));
            producer.flush();
            producer.abortTransaction();
        }
        List<ConsumerRecord<String, byte[]>> committed = TestTopics.readToEnd(bootstrap, topic, TIMEOUT);
        assertEquals(log.size(), committed.size());

        // when
        LogProgress progress = new LogProgress();
        BulkLoad.Result result = bulkLoad(applicationId, new BulkLoad.Options(POLICY, 7, 1_000), progress, topic).run(() -> false);

        // then: what Kafka Streams holds after the same records, in the same order per partition
        assertTrue(result.complete());
        assertEquals(committed.size(), result.events());
        assertEquals(committed.size(), progress.processedCount());
        try (TopologyTestDriver driver = drivenWith(committed, applicationId)) {

            Deserializer<AccountState> states = AvroSerdes.value(AccountState.class, registry).deserializer();
            Deserializer<AccountSnapshot> snapshots = AvroSerdes.value(AccountSnapshot.class, registry).deserializer();
            Deserializer<BankTotals> totals = AvroSerdes.value(BankTotals.class, registry).deserializer();
            Map<String, byte[]> stateLog = latest(bootstrap, GenerationAdmin.changelog(applicationId, AccountStateProjection.STORE));
            Map<String, byte[]> historyLog = latest(bootstrap, GenerationAdmin.changelog(applicationId, AccountHistoryProjection.STORE));
            Map<String, byte[]> snapshotLog = latest(bootstrap, GenerationAdmin.changelog(applicationId, SnapshotProjection.STORE));
            Map<String, byte[]> totalsLog = latest(bootstrap, GenerationAdmin.changelog(applicationId, BankTotalsProjection.STORE));

            Map<String, AccountState> expectedStates = all(driver.<String, AccountState>getKeyValueStore(AccountStateProjection.STORE));
            assertEquals(8, expectedStates.size());
            assertFalse(expectedStates.containsKey(aborted));
            assertEquals(expectedStates, decoded(stateLog, states));

            Map<String, String> expectedHistory = new TreeMap<>();
            all(driver.<String, byte[]>getKeyValueStore(AccountHistoryProjection.STORE))
                    .forEach((key, wire) -> expectedHistory.put(key, Base64.getEncoder().encodeToString(wire)));
            Map<String, String> history = new TreeMap<>();
            historyLog.forEach((key, wire) -> history.put(key, Base64.getEncoder().encodeToString(wire)));
            assertEquals(expectedHistory, history);

            // the driver's records are all in its partition 0 with its own offsets: the log position is compared apart
            Map<String, AccountSnapshot> expectedSnapshots = all(driver.<String, AccountSnapshot>getKeyValueStore(SnapshotProjection.STORE));
            Map<String, AccountSnapshot> loadedSnapshots = decoded(snapshotLog, snapshots);
            assertTrue(expectedSnapshots.size() > 12, "snapshots: " + expectedSnapshots.size());
            assertEquals(withoutLogPosition(expectedSnapshots), withoutLogPosition(loadedSnapshots));
            for (AccountSnapshot snapshot : loadedSnapshots.values()) {
                ConsumerRecord<String, byte[]> covered = committed.stream()
                        .filter(record -> record.partition() == snapshot.getLogPartition() && record.offset() == snapshot.getLogOffset())
                        .findFirst().orElseThrow();
                assertEquals(snapshot.getVersion(), eventSerde.deserializer().deserialize(topic, covered.value()).getVersion());
            }

            ValueAndTimestamp<BankTotals> expectedTotals = driver.<String, BankTotals>getTimestampedKeyValueStore(
                    BankTotalsProjection.STORE).get(BankTotalsProjection.KEY);
            assertEquals(java.util.Set.of(BankTotalsProjection.KEY), totalsLog.keySet());
            assertEquals(expectedTotals.value(), totals.deserialize("", totalsLog.get(BankTotalsProjection.KEY)));
        }
        // the committed positions are the log's ends (past its last transaction's marker), for every partition with
        // anything in it (keys are spread at random: one of the three may have none)
        Map<TopicPartition, Long> ends = new java.util.HashMap<>();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            for (int p = 0; p < PARTITIONS; p++) {
                TopicPartition partition = new TopicPartition(topic, p);
                long stable = admin.listOffsets(Map.of(partition, org.apache.kafka.clients.admin.OffsetSpec.latest()),
                        new org.apache.kafka.clients.admin.ListOffsetsOptions(org.apache.kafka.common.IsolationLevel.READ_COMMITTED))
                        .partitionResult(partition).get(30, TimeUnit.SECONDS).offset();
                if (stable > 0) {
                    ends.put(partition, stable);
                }
            }
        }
        assertEquals(ends, committedPositions(applicationId));
        // the changelogs it created have Kafka Streams' configs for them, and the small indexes (InternalTopicSettings)
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            for (String store : List.of(AccountStateProjection.STORE, AccountHistoryProjection.STORE,
                    SnapshotProjection.STORE, BankTotalsProjection.STORE)) {
                ConfigResource changelog = new ConfigResource(ConfigResource.Type.TOPIC, GenerationAdmin.changelog(applicationId, store));
                org.apache.kafka.clients.admin.Config config = admin.describeConfigs(List.of(changelog)).all()
                        .get(30, TimeUnit.SECONDS).get(changelog);
                assertEquals("compact", config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value(), store);
                assertEquals(String.valueOf(InternalTopicSettings.SEGMENT_INDEX_BYTES),
                        config.get(TopicConfig.SEGMENT_INDEX_BYTES_CONFIG).value(), store);
            }
        }
    }

    /**
     * The totals are summed per account at each commit: an account that opens and closes within one transaction must
     * still leave {@code OPEN: 0} in them, as Kafka Streams' sum of per-event deltas does, when no open account is
     * left to put it there; and the event count and latest update must be the events', not the accounts'.
     */
    @Test
    void shouldSumTheTotalsAsKafkaStreamsDoesWhenEveryAccountClosedInTheTransactionThatOpenedIt() throws Exception {
        // given: two accounts, each opened, paid into and closed, in one partition, in one transaction of the load
        Serde<BankAccountEvent> eventSerde = AvroSerdes.value(BankAccountEvent.class, registry);
        String topic = newTopic(1);
        String applicationId = "bulk-load-it-" + UUID.randomUUID();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new ByteArraySerializer())) {
            for (int account = 0; account < 2; account++) {
                String id = UUID.randomUUID().toString();
                producer.send(new ProducerRecord<>(topic, id, eventSerde.serializer().serialize(topic, Events.opened(id, "10.00"))));
                producer.send(new ProducerRecord<>(topic, id, eventSerde.serializer().serialize(topic,
                        Events.deposited(id, 2, "2.5", "12.50"))));
                producer.send(new ProducerRecord<>(topic, id, eventSerde.serializer().serialize(topic, Events.closed(id, 3))));
            }
        }
        List<ConsumerRecord<String, byte[]>> committed = TestTopics.readToEnd(bootstrap, topic, TIMEOUT);

        // when
        BulkLoad.Result result = bulkLoad(applicationId, new BulkLoad.Options(POLICY, 100, 100), new LogProgress(), topic)
                .run(() -> false);

        // then
        assertTrue(result.complete());
        try (TopologyTestDriver driver = drivenWith(committed, applicationId)) {
            BankTotals expected = driver.<String, BankTotals>getTimestampedKeyValueStore(BankTotalsProjection.STORE)
                    .get(BankTotalsProjection.KEY).value();
            assertEquals(Map.of("OPEN", 0L, "CLOSED", 2L), expected.getAccountsByStatus());
            assertEquals(6L, expected.getEventsApplied());
            BankTotals loaded = AvroSerdes.value(BankTotals.class, registry).deserializer().deserialize("",
                    latest(bootstrap, GenerationAdmin.changelog(applicationId, BankTotalsProjection.STORE))
                            .get(BankTotalsProjection.KEY));
            assertEquals(expected, loaded);
        }
    }

    @Test
    void shouldLeaveAPartitionWithTooManyAccountsAtItsLastCommitAndGoOnWithTheNext() throws Exception {
        // given: 20 accounts in partition 0, 3 in partition 1, at most 5 held
        String topic = logOfAccounts(20, 3);
        String applicationId = "bulk-load-it-" + UUID.randomUUID();
        LogProgress progress = new LogProgress();

        // when: a transaction every 2 events
        BulkLoad.Result result;
        List<ILoggingEvent> done;
        try (LogCapture log = LogCapture.of(BulkLoad.class)) {
            result = bulkLoad(applicationId, new BulkLoad.Options(POLICY, 2, 5), progress, topic).run(() -> false);
            done = log.lines("rebuild bulk load done");
        }

        // then: partition 0 stopped at its 6th account, after the two transactions before it; partition 1 whole;
        // the events applied are those committed (the aborted transaction's two were counted as well, found by a
        // helper trying rebuilds: applied=9 of events=7)
        assertEquals(1, done.size());
        assertTrue(done.get(0).getFormattedMessage().contains(" events=7 applied=7 "), done.get(0).getFormattedMessage());
        assertFalse(result.complete());
        assertTrue(result.reason().contains("partition 0 has more than 5 accounts"), result.reason());
        assertEquals(7, result.events());
        assertEquals(7, progress.processedCount());
        assertEquals(7, latest(bootstrap, GenerationAdmin.changelog(applicationId, AccountStateProjection.STORE)).size());
        assertEquals(Map.of(new TopicPartition(topic, 0), 4L, new TopicPartition(topic, 1), 3L),
                committedPositions(applicationId));
    }

    @Test
    void shouldCommitNothingWhenAskedToStop() throws Exception {
        // given
        String topic = logOfAccounts(5, 5);
        String applicationId = "bulk-load-it-" + UUID.randomUUID();

        // when
        BulkLoad.Result result = bulkLoad(applicationId, new BulkLoad.Options(POLICY, 2, 100), new LogProgress(), topic).run(() -> true);

        // then
        assertFalse(result.complete());
        assertEquals("stopped", result.reason());
        assertEquals(0, result.events());
        assertEquals(Map.of(), committedPositions(applicationId));
    }

    @Test
    void shouldReportProgressBeforeItsCommitAndTakeItBackWhenTheTransactionIsAborted() throws Exception {
        // given
        String applicationId = "bulk-load-it-" + UUID.randomUUID();
        LogProgress progress = new LogProgress();
        AtomicLong seenBeforeStop = new AtomicLong();

        // when: asked to stop once the progress has moved, before any commit
        BulkLoad.Result result = oneTransactionOverSeveralPolls(applicationId, progress).run(() -> {
            seenBeforeStop.set(progress.processedCount());
            return seenBeforeStop.get() > 0;
        });

        // then: the first poll's records were shown while the transaction was open, then taken back with it
        assertEquals("stopped", result.reason());
        assertTrue(seenBeforeStop.get() > 0 && seenBeforeStop.get() < 6_000, "progress before the stop: " + seenBeforeStop);
        assertEquals(0, result.events());
        assertEquals(0, progress.processedCount());
        assertEquals(Map.of(), committedPositions(applicationId));
    }

    @Test
    void shouldCloseItsClientsWithoutErrorsWhenInterruptedAndKeepTheInterrupt() throws Exception {
        // given: a cancel interrupts the loader thread while a transaction is open (found by trying it: Kafka's
        // clients, closed on an interrupted thread, logged an ERROR with a stack trace each)
        LogProgress progress = new LogProgress();
        BulkLoad.Result result;
        boolean interruptedAfter;
        try (LogCapture kafkaLog = LogCapture.of("org.apache.kafka")) {
            // when
            result = oneTransactionOverSeveralPolls("bulk-load-it-" + UUID.randomUUID(), progress).run(() -> {
                if (progress.processedCount() > 0) {
                    Thread.currentThread().interrupt();
                }
                return false;
            });
            interruptedAfter = Thread.interrupted();

            // then
            assertEquals(List.of(), kafkaLog.lines().stream()
                    .filter(line -> line.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.ERROR))
                    .map(line -> line.getLoggerName() + ": " + line.getFormattedMessage()).toList());
        }
        assertEquals("stopped", result.reason());
        assertTrue(interruptedAfter, "the thread's interrupt is kept for its owner");
        assertEquals(0, progress.processedCount());
    }

    @Test
    void shouldCallAStopThatMeetsItInsideARegistryCallAStop() throws Exception {
        // given: a registry that takes calls and never answers, so the fold's first decode waits inside the registry
        // client when the cancel's interrupt comes (found by cancelling rebuilds: logged as "ended by an error")
        CountDownLatch called = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        HttpServer silentRegistry = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        silentRegistry.createContext("/", exchange -> {
            called.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        silentRegistry.start();
        String topic = logOfAccounts(10, 0);
        java.util.concurrent.atomic.AtomicReference<BulkLoad.Result> result = new java.util.concurrent.atomic.AtomicReference<>();
        Thread loader = new Thread(() -> result.set(new BulkLoad(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                SchemaRegistryClients.forUrl("http://127.0.0.1:" + silentRegistry.getAddress().getPort()),
                "bulk-load-it-" + UUID.randomUUID(), (short) 1, new BulkLoad.Options(POLICY, 10_000, 10_000),
                new LogProgress(), topic).run(() -> false)), "bulk-load-it-loader");
        try (LogCapture log = LogCapture.of(BulkLoad.class)) {
            loader.start();
            assertTrue(called.await(60, TimeUnit.SECONDS), "the fold never called the registry");

            // when
            loader.interrupt();
            loader.join(TIMEOUT.toMillis());

            // then
            assertFalse(loader.isAlive(), "the bulk load did not end");
            assertEquals("stopped", result.get().reason());
            assertEquals(List.of(), log.lines().stream()
                    .filter(line -> line.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN))
                    .map(ILoggingEvent::getFormattedMessage).toList());
            assertEquals(1, log.lines("rebuild bulk load stopped").size());
        } finally {
            release.countDown();
            silentRegistry.stop(0);
        }
    }

    /**
     * A bulk load of a new log whose partition 0 holds more records than one poll returns (5,000), all in one
     * transaction: a stop after the first poll meets an open transaction with progress already reported.
     */
    private BulkLoad oneTransactionOverSeveralPolls(String applicationId, LogProgress progress) throws Exception {
        return bulkLoad(applicationId, new BulkLoad.Options(POLICY, 10_000, 10_000), progress, logOfAccounts(6_000, 0));
    }

    /** A new topic of two partitions with {@code first} accounts opened in partition 0 and {@code second} in 1. */
    private String logOfAccounts(int first, int second) throws Exception {
        Serde<BankAccountEvent> eventSerde = AvroSerdes.value(BankAccountEvent.class, registry);
        String topic = newTopic(2);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < first + second; i++) {
                String id = UUID.randomUUID().toString();
                producer.send(new ProducerRecord<>(topic, i < first ? 0 : 1, id,
                        eventSerde.serializer().serialize(topic, Events.opened(id, "1"))));
            }
        }
        return topic;
    }

    private Map<TopicPartition, Long> committedPositions(String group) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                    .entrySet().stream().collect(java.util.stream.Collectors.toMap(Map.Entry::getKey,
                            entry -> entry.getValue().offset()));
        }
    }

    /** A new topic of {@code partitions} partitions on the test broker. */
    private String newTopic(int partitions) throws Exception {
        String topic = "bulk-load-it-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        return topic;
    }

    /** Kafka Streams' own read side (the same topology, in a test driver) after {@code records}, in their order. */
    private TopologyTestDriver drivenWith(List<ConsumerRecord<String, byte[]>> records, String applicationId) {
        StreamsBuilder builder = new StreamsBuilder();
        ReadSideTopology.build(builder, registry, POLICY, LogProgress.NONE, Publishing.gated());
        TopologyTestDriver driver = new TopologyTestDriver(builder.build(),
                TestDriverConfig.exactlyOnce(applicationId + "-driver", stateDir));
        TestInputTopic<String, byte[]> input = driver.createInputTopic(Topics.EVENTS.name(), new StringSerializer(),
                new ByteArraySerializer());
        records.forEach(record -> input.pipeInput(record.key(), record.value(), record.timestamp()));
        return driver;
    }

    private BulkLoad bulkLoad(String applicationId, BulkLoad.Options options, LogProgress progress, String topic) {
        return new BulkLoad(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), registry, applicationId,
                (short) 1, options, progress, topic);
    }

    /** The last value of each key of {@code topic}, read_committed. */
    private static Map<String, byte[]> latest(String bootstrap, String topic) {
        Map<String, byte[]> latest = new TreeMap<>();
        TestTopics.readToEnd(bootstrap, topic, TIMEOUT).forEach(record -> latest.put(record.key(), record.value()));
        return latest;
    }

    private static <V> Map<String, V> decoded(Map<String, byte[]> values, Deserializer<V> deserializer) {
        Map<String, V> decoded = new TreeMap<>();
        values.forEach((key, value) -> decoded.put(key, deserializer.deserialize("", value)));
        return decoded;
    }

    private static <V> Map<String, V> all(KeyValueStore<String, V> store) {
        Map<String, V> all = new TreeMap<>();
        try (KeyValueIterator<String, V> entries = store.all()) {
            entries.forEachRemaining(entry -> all.put(entry.key, entry.value));
        }
        return all;
    }

    private static Map<String, AccountSnapshot> withoutLogPosition(Map<String, AccountSnapshot> snapshots) {
        Map<String, AccountSnapshot> without = new TreeMap<>();
        snapshots.forEach((key, snapshot) -> without.put(key, AccountSnapshot.newBuilder(snapshot).setLogPartition(0)
                .setLogOffset(0).build()));
        return without;
    }
}
