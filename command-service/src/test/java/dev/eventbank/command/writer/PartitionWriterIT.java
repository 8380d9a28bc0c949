package dev.eventbank.command.writer;

import dev.eventbank.command.routing.CommandMetrics;
import dev.eventbank.support.kafka.KafkaClients;
import dev.eventbank.schemas.catalog.TopicProvisioner;
import dev.eventbank.schemas.catalog.TopicSpec;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.commands.AccountAggregate;
import dev.eventbank.schemas.commands.AccountNumberAction;
import dev.eventbank.schemas.commands.AccountNumberCommand;
import dev.eventbank.schemas.commands.BankAccountCommand;
import dev.eventbank.schemas.commands.ReservationStatus;
import dev.eventbank.schemas.events.AccountOpened;
import dev.eventbank.schemas.commands.CommandOutcome;
import dev.eventbank.schemas.commands.CommandResult;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.events.MoneyWithdrawn;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import dev.eventbank.support.testing.LogCapture;
import dev.eventbank.support.testing.ServiceUnderTest;
import dev.eventbank.testbroker.DecidedOffsets;
import dev.eventbank.testbroker.TestBroker;
import dev.eventbank.localkafka.LocalKafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static dev.eventbank.command.writer.AvroFixtures.command;
import static dev.eventbank.command.writer.AvroFixtures.deposit;
import static dev.eventbank.command.writer.AvroFixtures.deposited;
import static dev.eventbank.command.writer.AvroFixtures.event;
import static dev.eventbank.command.writer.AvroFixtures.ifMatch;
import static dev.eventbank.command.writer.AvroFixtures.keyed;
import static dev.eventbank.command.writer.AvroFixtures.open;
import static dev.eventbank.command.writer.AvroFixtures.opened;
import static dev.eventbank.command.writer.AvroFixtures.withdraw;
import static dev.eventbank.command.writer.AvroFixtures.withdrawn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PartitionWriter} on the real broker, without HTTP or group membership: each test starts the writers of one
 * partition itself, with a transactional-id prefix of its own, and judges by what a read_committed reader of the
 * event log sees. Group commit, fencing of the previous owner, restore of aggregates and recorded outcomes by a
 * new owner, and catch-up on events the aggregates do not cover.
 *
 * <p>Limits: the broker and its topics are shared with the other integration tests of the JVM, so every test
 * works on accounts of its own and reads the log from the offset it started at.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PartitionWriterIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** At most this long for open transactions to be decided before reading to the end; milliseconds normally. */
    private static final Duration DECIDED_WAIT = Duration.ofSeconds(10);
    private static final int PARTITION = 0;
    /** The partition of the test that deletes records, so that the others do not depend on the order they run in. */
    private static final int RETENTION_PARTITION = 1;

    private static String bootstrapServers;
    private static SchemaRegistryClient registry;
    private static Serde<BankAccountEvent> events;
    private static Admin admin;
    private static int partitions;

    private final String prefix = "writer-it-" + UUID.randomUUID();
    private final List<PartitionWriter> writers = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void topics() throws Exception {
        bootstrapServers = TestBroker.shared().bootstrapServers();
        // one registry for every writer: a restore reads records other writers (and tests) serialized
        registry = SchemaRegistryClients.forUrl(ServiceUnderTest.sharedRegistryUrl());
        events = AvroSerdes.value(BankAccountEvent.class, registry);
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
        new TopicProvisioner(admin, 3, (short) 1).ensure(Topics.COMMAND_SIDE);
        partitions = admin.describeTopics(List.of(Topics.EVENTS.name())).allTopicNames().get(10, TimeUnit.SECONDS)
                .get(Topics.EVENTS.name()).partitions().size();
        assertTrue(partitions > RETENTION_PARTITION, "partitions: " + partitions);
    }

    @AfterAll
    static void closeAdmin() {
        if (admin != null) {
            admin.close();
        }
    }

    @AfterEach
    void stopWriters() {
        writers.forEach(writer -> writer.stop(Duration.ofSeconds(5)));
    }

    @Test
    void shouldCommitEveryCommandInFewerTransactionsThanCommandsWhenTwoHundredArriveAtOnce() throws Exception {
        // given: four open accounts of the partition
        PartitionWriter writer = startWriter();
        List<String> accounts = accounts(4);
        for (String account : accounts) {
            await(writer.submit(CommandHandlerSpec.TELLER, command(account, open("EUR", "0"))));
        }
        long start = endOffset();

        // when: 200 deposits submitted at once from 8 threads, 50 per account
        List<BankAccountCommand> deposits = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            deposits.add(command(accounts.get(i % 4), deposit("1")));
        }
        List<CompletableFuture<CommandResult>> futures = new CopyOnWriteArrayList<>();
        ExecutorService senders = Executors.newFixedThreadPool(8);
        try {
            for (int t = 0; t < 8; t++) {
                int first = t;
                senders.execute(() -> {
                    for (int i = first; i < deposits.size(); i += 8) {
                        futures.add(writer.submit(CommandHandlerSpec.TELLER, deposits.get(i)));
                    }
                });
            }
        } finally {
            senders.shutdown();
            assertTrue(senders.awaitTermination(10, TimeUnit.SECONDS));
        }
        Map<String, CommandResult> results = new HashMap<>();
        for (CompletableFuture<CommandResult> future : futures) {
            CommandResult result = await(future);
            results.put(result.getCommandId(), result);
        }

        // then: all accepted, each account's versions 1..51 with no gap and no duplicate
        assertEquals(200, results.size());
        assertTrue(results.values().stream().allMatch(r -> r.getOutcome() == CommandOutcome.ACCEPTED), "" + results.values());
        List<ConsumerRecord<String, BankAccountEvent>> log = readCommitted(start);
        List<ConsumerRecord<String, BankAccountEvent>> whole = readCommitted(0);
        for (String account : accounts) {
            List<Long> versions = eventsOf(whole, account).stream().map(BankAccountEvent::getVersion).toList();
            assertEquals(LongStream.rangeClosed(1, 51).boxed().toList(), versions, account);
        }
        // each reply names the version its event has in the log
        for (ConsumerRecord<String, BankAccountEvent> record : log) {
            CommandResult result = results.get(record.value().getCommandId());
            assertEquals(result.getVersion(), record.value().getVersion());
        }
        // the log's transaction structure: one commit marker per transaction takes one offset after its records
        assertEquals(200, log.size(), "only this writer writes the partition");
        long transactions = (endOffset() - start) - log.size();
        System.out.printf("group commit: 200 commands in %d transactions%n", transactions);
        assertTrue(transactions >= 1 && transactions < 200, "transactions: " + transactions);
        assertEquals(transactions, runsOfConsecutiveOffsets(log), "every transaction is a run of consecutive offsets");
    }

    @Test
    void shouldFenceTheOldWriterAndContinueItsVersionsWhenANewWriterTakesThePartition() throws Exception {
        // given: writer A serves an account up to version 2
        PartitionWriter a = startWriter();
        String account = accounts(1).get(0);
        await(a.submit(CommandHandlerSpec.TELLER, command(account, open("EUR", "10"))));
        await(a.submit(CommandHandlerSpec.TELLER, command(account, deposit("5"))));

        // when: writer B of the same partition and prefix starts, then A gets a command
        PartitionWriter b = startWriter();
        CommandResult third = await(b.submit(CommandHandlerSpec.TELLER, command(account, deposit("1"))));
        BankAccountCommand late = keyed(account, "late", deposit("100"));
        ExecutionException fenced = assertThrows(ExecutionException.class,
                () -> a.submit(CommandHandlerSpec.TELLER, late).get(WAIT.toSeconds(), TimeUnit.SECONDS));

        // then: B continued A's versions; A answered "not owner" and is fenced for good
        assertEquals(3, third.getVersion());
        assertInstanceOf(NotOwnerException.class, fenced.getCause(), () -> "" + fenced.getCause());
        // (the future fails a moment before the writer's thread records its end)
        assertEquals(PartitionWriter.State.FENCED, eventually(a::state, PartitionWriter.State.FENCED));
        ExecutionException again = assertThrows(ExecutionException.class,
                () -> a.submit(CommandHandlerSpec.TELLER, command(account, deposit("1"))).get(1, TimeUnit.SECONDS));
        assertInstanceOf(NotOwnerException.class, again.getCause());
        // nothing A sent is visible: not in the log, and a third owner restoring the topics has not seen the key
        b.stop(WAIT);
        PartitionWriter c = startWriter();
        CommandResult lateAtC = await(c.submit(CommandHandlerSpec.TELLER, late));
        assertEquals(CommandOutcome.ACCEPTED, lateAtC.getOutcome());
        assertEquals(4, lateAtC.getVersion(), "decided by C, after B's version 3");
        List<BankAccountEvent> log = eventsOf(readCommitted(0), account);
        assertEquals(List.of(1L, 2L, 3L, 4L), log.stream().map(BankAccountEvent::getVersion).toList());
        assertEquals(1, log.stream().filter(e -> e.getCommandId().equals(late.getCommandId())).count());
    }

    @Test
    void shouldSeeEveryAggregateAndRecordedOutcomeWhenANewWriterTakesOverAStoppedOne() throws Exception {
        // given: writer A opened 10 accounts, each with a keyed deposit, and recorded a keyed rejection
        PartitionWriter a = startWriter();
        List<String> accounts = accounts(10);
        Map<String, BankAccountCommand> keyedDeposits = new HashMap<>();
        Map<String, CommandResult> firstOutcomes = new HashMap<>();
        for (int i = 0; i < accounts.size(); i++) {
            String account = accounts.get(i);
            await(a.submit(CommandHandlerSpec.TELLER, command(account, open("EUR", String.valueOf(i)))));
            BankAccountCommand keyedDeposit = keyed(account, "deposit-" + i, deposit("10"));
            keyedDeposits.put(account, keyedDeposit);
            firstOutcomes.put(account, await(a.submit(CommandHandlerSpec.TELLER, keyedDeposit)));
        }
        BankAccountCommand rejected = keyed(accounts.get(0), "too-much", withdraw("1000"));
        CommandResult rejection = await(a.submit(CommandHandlerSpec.TELLER, rejected));
        assertEquals("INSUFFICIENT_FUNDS", rejection.getRejectionCode());
        a.stop(WAIT);

        // when: a new writer (another instance: a state of its own) takes the partition
        PartitionWriter b = startWriter();

        // then: every retried key answers its first outcome, appending nothing
        long before = endOffset();
        for (String account : accounts) {
            assertEquals(firstOutcomes.get(account), await(b.submit(CommandHandlerSpec.TELLER, keyedDeposits.get(account))), account);
        }
        assertEquals(rejection, await(b.submit(CommandHandlerSpec.TELLER, rejected)), "the recorded rejection");
        assertEquals(List.of(), readCommitted(before), "a replay appends nothing");
        // and every aggregate is there at its version and balance: withdrawing exactly the balance at If-Match 2
        for (int i = 0; i < accounts.size(); i++) {
            String account = accounts.get(i);
            CommandResult emptied = await(b.submit(CommandHandlerSpec.TELLER, ifMatch(account, 2, withdraw(String.valueOf(i + 10)))));
            assertEquals(CommandOutcome.ACCEPTED, emptied.getOutcome(), () -> "" + emptied);
            assertEquals(3, emptied.getVersion());
        }
        for (ConsumerRecord<String, BankAccountEvent> record : readCommitted(before)) {
            assertEquals(0, BigDecimal.ZERO.compareTo(((MoneyWithdrawn) record.value().getPayload()).getBalanceAfter()));
        }
    }

    @Test
    void shouldFoldInEventsWrittenWithoutAggregatesWhenANewWriterRestores() throws Exception {
        // given: an account's events written straight to the log (a migration), no aggregate, no writer running
        String account = accounts(1).get(0);
        appendDirectly(List.of(event(account, 1, opened("EUR", "10")), event(account, 2, deposited("5", "15")),
                event(account, 3, withdrawn("3", "12"))));

        // when
        PartitionWriter writer = startWriter();
        CommandResult reopened = await(writer.submit(CommandHandlerSpec.TELLER, command(account, open("EUR", "1"))));
        CommandResult emptied = await(writer.submit(CommandHandlerSpec.TELLER, ifMatch(account, 3, withdraw("12"))));

        // then: the writer knows the account at version 3 with 12.00, and continues at 4
        assertEquals("ALREADY_OPEN", reopened.getRejectionCode());
        assertEquals(CommandOutcome.ACCEPTED, emptied.getOutcome(), () -> "" + emptied);
        assertEquals(4, emptied.getVersion());
        List<BankAccountEvent> log = eventsOf(readCommitted(0), account);
        assertEquals(List.of(1L, 2L, 3L, 4L), log.stream().map(BankAccountEvent::getVersion).toList());
        assertEquals(0, BigDecimal.ZERO.compareTo(((MoneyWithdrawn) log.get(3).getPayload()).getBalanceAfter()));
    }

    @Test
    void shouldFoldTheEventsSinceTheLastAggregatesWriteWhenTheOwnerIsFencedBeforeWritingThem() throws Exception {
        // given: writer A writes aggregates only once an hour, and has changed five accounts since its start
        long aggregatesFrom = endOffset(new TopicPartition(Topics.AGGREGATES.name(), PARTITION));
        PartitionWriter a = startWriter(PARTITION, new PartitionState(PARTITION), Clock.systemUTC(), 500, Duration.ofHours(1));
        List<String> accounts = accounts(5);
        for (int i = 0; i < accounts.size(); i++) {
            await(a.submit(CommandHandlerSpec.TELLER, command(accounts.get(i), open("EUR", "10"))));
            assertEquals(2, await(a.submit(CommandHandlerSpec.TELLER, command(accounts.get(i), deposit(String.valueOf(i + 1))))).getVersion());
        }
        assertEquals(Map.of(), aggregateVersions(aggregatesFrom, accounts), "nothing written to the aggregates topic yet");

        // when: writer B (another instance) takes the partition: A is fenced, with no chance to write them
        PartitionWriter b = startWriter(PARTITION, new PartitionState(PARTITION), Clock.systemUTC(), 500, Duration.ofHours(1));

        // then: B knows every account at version 2 with its balance (withdrawing exactly it at If-Match 2) ...
        for (int i = 0; i < accounts.size(); i++) {
            CommandResult emptied = await(b.submit(CommandHandlerSpec.TELLER, ifMatch(accounts.get(i), 2, withdraw(String.valueOf(11 + i)))));
            assertEquals(CommandOutcome.ACCEPTED, emptied.getOutcome(), () -> "" + emptied);
            assertEquals(3, emptied.getVersion());
        }
        // ... and wrote back what it folded at version 2, so the next owner need not fold it again
        Map<String, Long> written = aggregateVersions(aggregatesFrom, accounts);
        assertEquals(accounts.stream().collect(java.util.stream.Collectors.toMap(id -> id, id -> 2L)), written);
        assertEquals(PartitionWriter.State.FENCED, eventually(() -> {
            a.submit(CommandHandlerSpec.TELLER, command(accounts.get(0), deposit("1")));
            return a.state();
        }, PartitionWriter.State.FENCED));
    }

    @Test
    void shouldWriteTheUnwrittenAggregatesWhenStoppedGracefullyOrIdleOverTheInterval() throws Exception {
        // given: a writer that writes aggregates at most every 300 ms
        long aggregatesFrom = endOffset(new TopicPartition(Topics.AGGREGATES.name(), PARTITION));
        PartitionWriter writer = startWriter(PARTITION, new PartitionState(PARTITION), Clock.systemUTC(), 500, Duration.ofMillis(300));
        String idle = accounts(1).get(0);
        await(writer.submit(CommandHandlerSpec.TELLER, command(idle, open("EUR", "10"))));

        // when: it stays idle past the interval, then takes more, then stops
        Map<String, Long> afterIdle = eventually(() -> aggregateVersions(aggregatesFrom, List.of(idle)), Map.of(idle, 1L));
        String stopped = accounts(2).get(1);
        await(writer.submit(CommandHandlerSpec.TELLER, command(stopped, open("EUR", "10"))));
        await(writer.submit(CommandHandlerSpec.TELLER, command(stopped, deposit("1"))));
        writer.stop(WAIT);

        // then: the idle writer wrote the first, the stopping one the second at its last version
        assertEquals(Map.of(idle, 1L), afterIdle);
        assertEquals(Map.of(idle, 1L, stopped, 2L), aggregateVersions(aggregatesFrom, List.of(idle, stopped)));
    }

    @Test
    void shouldRestoreRecordedOutcomesWhenTheOutcomesTopicNoLongerStartsAtOffsetZero() throws Exception {
        // given: a keyed deposit recorded by writer A, after older outcomes that retention has deleted
        // (bank-account-command-outcomes is compact,delete with retention.ms 48 h: its log start offset moves)
        PartitionWriter a = startWriter(RETENTION_PARTITION);
        String account = accounts(RETENTION_PARTITION, 1).get(0);
        await(a.submit(CommandHandlerSpec.TELLER, command(account, open("EUR", "0"))));
        await(a.submit(CommandHandlerSpec.TELLER, keyed(account, "old", deposit("1"))));
        TopicPartition outcomes = new TopicPartition(Topics.COMMAND_OUTCOMES.name(), RETENTION_PARTITION);
        long retentionStart = endOffset(outcomes);
        BankAccountCommand recent = keyed(account, "recent", deposit("50"));
        CommandResult first = await(a.submit(CommandHandlerSpec.TELLER, recent));
        a.stop(WAIT);
        admin.deleteRecords(Map.of(outcomes, RecordsToDelete.beforeOffset(retentionStart))).all()
                .get(10, TimeUnit.SECONDS);

        // when: a new owner restores the partition and the recent key is retried
        PartitionWriter b = startWriter(RETENTION_PARTITION);
        CommandResult retry = await(b.submit(CommandHandlerSpec.TELLER, recent));

        // then: the first outcome, booked once
        assertEquals(first, retry);
        assertEquals(List.of(1L, 2L, 3L), eventsOf(readCommitted(RETENTION_PARTITION, 0), account).stream()
                .map(BankAccountEvent::getVersion).toList());
    }

    @Test
    void shouldAppendOnceAndAnswerEveryCopyTheSameWhenOneKeyedCommandArrivesTwentyTimesAtOnce() throws Exception {
        // given
        PartitionWriter writer = startWriter();
        String account = accounts(1).get(0);
        await(writer.submit(CommandHandlerSpec.TELLER, command(account, open("EUR", "0"))));
        BankAccountCommand deposit = keyed(account, "dup", deposit("7"));

        // when: the copies land in the same batch as the first, or after its commit
        List<CompletableFuture<CommandResult>> copies = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            copies.add(writer.submit(CommandHandlerSpec.TELLER, deposit));
        }

        // then
        CommandResult first = await(copies.get(0));
        assertEquals(2, first.getVersion());
        for (CompletableFuture<CommandResult> copy : copies) {
            assertEquals(first, await(copy));
        }
        List<BankAccountEvent> log = eventsOf(readCommitted(0), account);
        assertEquals(List.of(1L, 2L), log.stream().map(BankAccountEvent::getVersion).toList());
    }

    @Test
    void shouldReadWhatAnotherOwnerWroteSinceWhenThePartitionComesBackWithItsKeptState() throws Exception {
        // given: writer A served an account, stopped; writer B (another instance) served it after A
        PartitionWriter a = startWriter();
        String account = accounts(1).get(0);
        await(a.submit(CommandHandlerSpec.TELLER, command(account, open("EUR", "10"))));
        BankAccountCommand atA = keyed(account, "at-a", deposit("1"));
        CommandResult firstAtA = await(a.submit(CommandHandlerSpec.TELLER, atA));
        a.stop(WAIT);
        PartitionState kept = a.stoppedState();
        PartitionWriter b = startWriter();
        BankAccountCommand atB = keyed(account, "at-b", deposit("2"));
        CommandResult firstAtB = await(b.submit(CommandHandlerSpec.TELLER, atB));
        b.stop(WAIT);

        // when: the partition comes back to A's instance, which restores from where its kept state left off
        PartitionWriter again = startWriter(PARTITION, kept);

        // then: both keys answer their first outcome, and the account continues at B's version + 1 with 13.00
        assertEquals(firstAtA, await(again.submit(CommandHandlerSpec.TELLER, atA)));
        assertEquals(firstAtB, await(again.submit(CommandHandlerSpec.TELLER, atB)));
        CommandResult emptied = await(again.submit(CommandHandlerSpec.TELLER, ifMatch(account, 3, withdraw("13"))));
        assertEquals(CommandOutcome.ACCEPTED, emptied.getOutcome(), () -> "" + emptied);
        assertEquals(4, emptied.getVersion());
        assertEquals(List.of(1L, 2L, 3L, 4L), eventsOf(readCommitted(0), account).stream()
                .map(BankAccountEvent::getVersion).toList());
    }

    @Test
    void shouldIgnoreACheckpointFileWrittenForTopicsOfAnotherClusterWhoseOffsetsItsOwnHaveReached(@TempDir Path stateDir)
            throws Exception {
        // given: a writer on the shared cluster served account X and left its checkpoint file in stateDir
        String elsewhere = accounts(1).get(0);
        PartitionWriter first = firstCommand(bootstrapServers, stateDir, command(elsewhere, open("EUR", "10")));
        await(first.submit(CommandHandlerSpec.TELLER, keyed(elsewhere, "x-1", deposit("1"))));
        first.stop(WAIT);
        Path file = PartitionSnapshotFile.path(stateDir, prefix, PARTITION);
        assertTrue(java.nio.file.Files.isRegularFile(file), "no checkpoint file at " + file);

        try (LocalKafkaBroker other = LocalKafkaBroker.startTemporary();
             Admin otherAdmin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, other.bootstrapServers()))) {
            // and another cluster (recreated topics, or a second environment on the same host), whose partition
            // holds more records than the file's positions, written by a writer without a checkpoint file
            new TopicProvisioner(otherAdmin, partitions, (short) 1).ensure(Topics.COMMAND_SIDE);
            List<String> here = accounts(5);
            PartitionWriter filler = firstCommand(other.bootstrapServers(), null, command(here.get(0), open("EUR", "10")));
            for (String account : here) {
                if (!account.equals(here.get(0))) {
                    await(filler.submit(CommandHandlerSpec.TELLER, command(account, open("EUR", "10"))));
                }
                await(filler.submit(CommandHandlerSpec.TELLER, keyed(account, "y-" + account, deposit("1"))));
            }
            filler.stop(WAIT);

            // when: a writer with the same transactional ids and state directory takes the partition there
            PartitionWriter taken;
            try (LogCapture log = LogCapture.of(PartitionSnapshotFile.class)) {
                taken = startCheckpointedWriter(other.bootstrapServers(), stateDir);
                // refused for its topics, whether or not this cluster's offsets reached the file's (the partition of
                // the shared cluster holds other tests' records too, so its positions may be past these ends)
                assertEquals(1, log.lines("partition state file ignored").stream()
                        .filter(line -> line.getFormattedMessage().contains("written for other topics")).count(),
                        () -> "" + log.lines().stream().map(line -> line.getFormattedMessage()).toList());
            }

            // then: it knows that cluster's accounts, at their versions, and not the other cluster's account
            for (String account : here) {
                CommandResult deposited = await(taken.submit(CommandHandlerSpec.TELLER, ifMatch(account, 2, deposit("1"))));
                assertEquals(CommandOutcome.ACCEPTED, deposited.getOutcome(), () -> account + ": " + deposited);
                assertEquals(3, deposited.getVersion());
            }
            CommandResult unknown = await(taken.submit(CommandHandlerSpec.TELLER, command(elsewhere, deposit("1"))));
            assertEquals(CommandOutcome.NOT_FOUND, unknown.getOutcome(), () -> "an account of the other cluster: " + unknown);
            taken.stop(WAIT);
        }
    }

    /** Batches (of one command each) decided after the clock moved before the writer is stopped. */
    private static final int DECIDED_AFTER_MOVE = 20;

    @Test
    void shouldForgetOutcomesOlderThanTheWindowWhenThePartitionIsNeverIdle() throws Exception {
        // given: a writer on a clock the test moves, with a keyed outcome recorded, then a backlog of commands;
        // one command per transaction, so that the backlog outlasts the moment the test moves the clock
        MutableClock clock = new MutableClock();
        PartitionWriter writer = startWriter(PARTITION, new PartitionState(PARTITION), clock, 1);
        String account = accounts(1).get(0);
        await(writer.submit(CommandHandlerSpec.TELLER, command(account, open("EUR", "0"))));
        BankAccountCommand old = keyed(account, "old", deposit("1"));
        await(writer.submit(CommandHandlerSpec.TELLER, old));
        List<CompletableFuture<CommandResult>> backlog = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            backlog.add(writer.submit(CommandHandlerSpec.TELLER, command(account, deposit("1"))));
        }

        // when: the window (24 h) and the expiry period (1 min) pass while the queue is never empty, and the writer
        // stops with commands still queued (it never waited for one)
        java.time.Instant advancedTo = clock.advance(Duration.ofHours(25));
        long deadline = System.nanoTime() + WAIT.toNanos();
        // a few batches after the move are enough: the expiry runs after the first one; waiting for more only
        // made the test depend on the broker's pace (a CI run stalled 25 s at 999 of a former 1,000)
        while (backlog.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()
                && !f.join().getCompletedAt().isBefore(advancedTo)).count() < DECIDED_AFTER_MOVE && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        writer.stop(WAIT);

        // then: two batches or more were decided after the clock moved, the queue was never empty, and the
        // expired outcome is no longer held in memory
        long decidedAfter = backlog.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()
                && !f.join().getCompletedAt().isBefore(advancedTo)).count();
        assertTrue(decidedAfter >= DECIDED_AFTER_MOVE, "decided after the clock moved: " + decidedAfter);
        assertTrue(backlog.stream().anyMatch(CompletableFuture::isCompletedExceptionally), "still queued at the stop");
        PartitionState state = writer.stoppedState();
        assertFalse(state.outcomes.containsKey(old.getCommandId()),
                "the outcome recorded 25 h ago is still held, among " + state.outcomes.size());
    }

    @Test
    void shouldRefuseACommandAtOnceAndAppendNothingOfItWhenThePartitionsQueueIsFull() throws Exception {
        // given: a writer that queues at most 2 commands, not started yet, so that nothing leaves its queue
        List<String> accounts = accounts(3);
        PartitionWriter writer = newWriter(PARTITION, 2);
        long start = endOffset();

        // when: three opens are submitted
        CompletableFuture<CommandResult> first = writer.submit(CommandHandlerSpec.TELLER, command(accounts.get(0), open("EUR", "1")));
        CompletableFuture<CommandResult> second = writer.submit(CommandHandlerSpec.TELLER, command(accounts.get(1), open("EUR", "2")));
        BankAccountCommand third = keyed(accounts.get(2), "shed-" + UUID.randomUUID(), open("EUR", "3"));
        CompletableFuture<CommandResult> refused = writer.submit(CommandHandlerSpec.TELLER, third);

        // then: the third is refused at once, before the writer even runs
        assertTrue(refused.isDone(), "refused at once");
        ExecutionException full = assertThrows(ExecutionException.class, refused::get);
        assertInstanceOf(QueueFullException.class, full.getCause());
        // and once it runs, the two queued ones commit and nothing of the third is in the log
        writer.start();
        writer.ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(CommandOutcome.ACCEPTED, await(first).getOutcome());
        assertEquals(CommandOutcome.ACCEPTED, await(second).getOutcome());
        assertEquals(List.of(), eventsOf(readCommitted(start), accounts.get(2)));
        // nothing was recorded for its key either: sent again, it is decided, once
        CommandResult again = await(writer.submit(CommandHandlerSpec.TELLER, third));
        assertEquals(CommandOutcome.ACCEPTED, again.getOutcome());
        List<ConsumerRecord<String, BankAccountEvent>> log = readCommitted(start);
        assertEquals(1, eventsOf(log, accounts.get(0)).size());
        assertEquals(1, eventsOf(log, accounts.get(1)).size());
        assertEquals(1, eventsOf(log, accounts.get(2)).size());
    }

    @Test
    void shouldAnswerNothingAppliedWhenATransactionFailsBeforeItsCommitAndGoOn() throws Exception {
        // given: a writer whose producer refuses every event before sending it (OversizedEvents), so that its
        // transactions fail before their commit is asked for, not fenced
        String account = accounts(1).get(0);
        PartitionWriter writer = startWriterIntercepted(OversizedEvents.class, new PartitionState(PARTITION),
                Duration.ofSeconds(1), stopped -> {
                });
        writer.ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        long start = endOffset();

        // when
        CompletableFuture<CommandResult> opened = writer.submit(CommandHandlerSpec.TELLER, command(account, open("EUR", "10")),
                System.nanoTime() + WAIT.toNanos());

        // then: the writer aborted and goes on; the command is a 503 that says nothing of it was applied, not
        // "ask again" (NotOwnerException, which the router retries: a failure that repeats would run a transaction
        // per retry until the reply timeout), and not "may or may not have been applied"
        ExecutionException failed = assertThrows(ExecutionException.class, () -> opened.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertInstanceOf(NotCommittedException.class, failed.getCause());
        assertTrue(((NotCommittedException) failed.getCause()).nothingApplied(), "a 503 'not applied', not 'outcome unknown'");
        assertTrue(failed.getCause().getMessage().contains("nothing of it was applied"), failed.getCause().getMessage());
        assertEquals(PartitionWriter.State.READY, writer.state());
        assertEquals(List.of(), eventsOf(readCommitted(start), account));
    }

    /**
     * A writer of {@link #PARTITION} whose producer (only: the restore's consumers take none) has {@code interceptor},
     * started, not waited for.
     */
    private PartitionWriter startWriterIntercepted(Class<?> interceptor, PartitionState state, Duration aggregatesInterval,
                                                  java.util.function.Consumer<PartitionWriter> onStopped) {
        try (io.micronaut.context.ApplicationContext context = io.micronaut.context.ApplicationContext.builder()
                .properties(Map.of("kafka.bootstrap.servers", bootstrapServers,
                        "kafka.producers." + WriterSettings.PRODUCER + ".interceptor.classes", interceptor.getName()))
                .build()) {
            io.micronaut.context.env.Environment environment = context.getEnvironment().start();
            KafkaClients kafka = new KafkaClients(
                    new io.micronaut.configuration.kafka.config.KafkaDefaultConfiguration(environment), environment);
            WriterSettings settings = WriterSettings.of(kafka, prefix, Duration.ofHours(24), 500, aggregatesInterval,
                    Clock.systemUTC(), registry, CommandMetrics.none());
            PartitionWriter writer = new PartitionWriter(PARTITION, settings, state, onStopped);
            writers.add(writer);
            writer.start();
            return writer;
        }
    }

    @Test
    void shouldHandOnNoStateFromAWriterThatFailedToWriteBackWhatItsRestoreFolded() throws Exception {
        // given: an account whose events are in the log and whose aggregate is not in bank-account-aggregates (its
        // writer's every record of that aggregate is refused; the interval keeps them out of its transactions)
        String account = accounts(1).get(0);
        RefusedAggregates.ACCOUNTS.add(account);
        PartitionWriter first = startWriterIntercepted(RefusedAggregates.class, new PartitionState(PARTITION),
                Duration.ofHours(1), stopped -> {
                });
        first.ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        await(first.submit(CommandHandlerSpec.TELLER, command(account, open("EUR", "10"))));
        await(first.submit(CommandHandlerSpec.TELLER, command(account, deposit("5"))));
        first.stop(WAIT);

        // when: the next writer folds those events at its restore, and its write-back of them is refused
        PartitionWriter failed = startWriterIntercepted(RefusedAggregates.class, new PartitionState(PARTITION),
                Duration.ofHours(1), stopped -> {
                });
        ExecutionException notReady = assertThrows(ExecutionException.class,
                () -> failed.ready().get(WAIT.toSeconds(), TimeUnit.SECONDS));
        failed.stop(WAIT);

        // then: it failed, and hands on no state (its state held the folded aggregate, listed nowhere as unwritten:
        // a writer going on with it never wrote it back, while its own aggregates said they covered those events)
        assertEquals(PartitionWriter.State.FAILED, failed.state(), () -> "" + notReady.getCause());
        assertNull(failed.stoppedState());
        // and the partition's next writer, restoring from Kafka as PartitionOwnership starts it without a state,
        // writes the aggregate back and goes on from version 2
        RefusedAggregates.ACCOUNTS.remove(account);
        PartitionWriter next = startWriter(PARTITION, new PartitionState(PARTITION));
        CommandResult deposited = await(next.submit(CommandHandlerSpec.TELLER, ifMatch(account, 2, deposit("1"))));
        assertEquals(CommandOutcome.ACCEPTED, deposited.getOutcome(), () -> "" + deposited);
        assertEquals(3, deposited.getVersion());
    }

    @Test
    void shouldStopAsFailedAndAnswerItsCommandsWhenAnErrorEscapesItsWork() throws Exception {
        // given: a writer whose producer throws an Error (not an exception) for one account's events
        String account = accounts(1).get(0);
        ErrorOnEvents.ACCOUNTS.add(account);
        CompletableFuture<PartitionWriter> stoppedByItself = new CompletableFuture<>();
        PartitionWriter writer = startWriterIntercepted(ErrorOnEvents.class, new PartitionState(PARTITION),
                Duration.ofSeconds(1), stoppedByItself::complete);
        writer.ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        // when
        CompletableFuture<CommandResult> opened = writer.submit(CommandHandlerSpec.TELLER, command(account, open("EUR", "10")));

        // then: the command is answered (outcome unknown), the writer is FAILED and tells its owner, which starts
        // another (it stayed READY with a dead thread: nobody answered its queue or replaced it)
        ExecutionException failed = assertThrows(ExecutionException.class, () -> opened.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertInstanceOf(NotCommittedException.class, failed.getCause());
        assertSame(writer, stoppedByItself.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(PartitionWriter.State.FAILED, writer.state());
        assertNull(writer.stoppedState());
        ErrorOnEvents.ACCOUNTS.remove(account);
    }

    /** A producer interceptor of the writers' records that only looks at what is sent. */
    public abstract static class OnSendOnly implements org.apache.kafka.clients.producer.ProducerInterceptor<String, byte[]> {

        @Override
        public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
        }

        @Override
        public void close() {
        }

        @Override
        public void configure(Map<String, ?> configs) {
        }
    }

    /** Refuses (as {@link OversizedEvents} does) the aggregate records of the accounts in {@link #ACCOUNTS}. */
    public static final class RefusedAggregates extends OnSendOnly {

        static final java.util.Set<String> ACCOUNTS = java.util.concurrent.ConcurrentHashMap.newKeySet();

        @Override
        public ProducerRecord<String, byte[]> onSend(ProducerRecord<String, byte[]> record) {
            if (!record.topic().equals(Topics.AGGREGATES.name()) || !ACCOUNTS.contains(record.key())) {
                return record;
            }
            return new ProducerRecord<>(record.topic(), record.partition(), record.timestamp(), record.key(),
                    new byte[2 * 1024 * 1024], record.headers());
        }
    }

    /**
     * Throws an Error from {@code send} for the events of the accounts in {@link #ACCOUNTS} (the producer passes an
     * interceptor's Error on; it catches its exceptions).
     */
    public static final class ErrorOnEvents extends OnSendOnly {

        static final java.util.Set<String> ACCOUNTS = java.util.concurrent.ConcurrentHashMap.newKeySet();

        @Override
        public ProducerRecord<String, byte[]> onSend(ProducerRecord<String, byte[]> record) {
            if (record.topic().equals(Topics.EVENTS.name()) && ACCOUNTS.contains(record.key())) {
                throw new StackOverflowError("thrown by the test's interceptor");
            }
            return record;
        }
    }

    /**
     * Makes every record for the event log larger than the producer's {@code max.request.size} (1 MB), so that the
     * producer refuses it before sending (RecordTooLargeException, an abortable error of the transaction); other
     * topics' records pass unchanged.
     */
    public static final class OversizedEvents extends OnSendOnly {

        @Override
        public ProducerRecord<String, byte[]> onSend(ProducerRecord<String, byte[]> record) {
            if (!record.topic().equals(Topics.EVENTS.name())) {
                return record;
            }
            return new ProducerRecord<>(record.topic(), record.partition(), record.timestamp(), record.key(),
                    new byte[2 * 1024 * 1024]);
        }
    }

    @Test
    void shouldSkipCommandsWhoseDeadlinePassedBeforeTheyWereDecidedAndDecideAKeyedRetryOnce() throws Exception {
        // given: a writer not started yet, with an open of an account queued
        String account = accounts(1).get(0);
        PartitionWriter writer = newWriter(PARTITION, WriterSettings.DEFAULT_MAX_QUEUED);
        long start = endOffset();
        CompletableFuture<CommandResult> opened = writer.submit(CommandHandlerSpec.TELLER, command(account, open("EUR", "10")),
                System.nanoTime() + WAIT.toNanos());

        // when: a keyed and an unkeyed deposit whose deadlines pass while they wait in the queue
        BankAccountCommand keyedLate = keyed(account, "late-" + UUID.randomUUID(), deposit("5"));
        BankAccountCommand unkeyedLate = command(account, deposit("7"));
        CompletableFuture<CommandResult> skippedKeyed = writer.submit(CommandHandlerSpec.TELLER, keyedLate, System.nanoTime() + 1);
        CompletableFuture<CommandResult> skippedUnkeyed = writer.submit(CommandHandlerSpec.TELLER, unkeyedLate, System.nanoTime() + 1);
        Thread.sleep(5);
        writer.start();
        writer.ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        // then: the open is decided, the two late deposits are answered "not committed" and not decided
        assertEquals(CommandOutcome.ACCEPTED, await(opened).getOutcome());
        for (CompletableFuture<CommandResult> skipped : List.of(skippedKeyed, skippedUnkeyed)) {
            ExecutionException notCommitted = assertThrows(ExecutionException.class,
                    () -> skipped.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertInstanceOf(NotCommittedException.class, notCommitted.getCause());
            assertTrue(((NotCommittedException) notCommitted.getCause()).nothingApplied());
        }
        // and the keyed one's retry is decided as a first attempt, then answered again with that outcome
        CommandResult retried = await(writer.submit(CommandHandlerSpec.TELLER, keyedLate, System.nanoTime() + WAIT.toNanos()));
        CommandResult replayed = await(writer.submit(CommandHandlerSpec.TELLER, keyedLate));
        assertEquals(CommandOutcome.ACCEPTED, retried.getOutcome());
        assertEquals(2, retried.getVersion());
        assertEquals(retried, replayed);
        List<BankAccountEvent> events = eventsOf(readCommitted(start), account);
        assertEquals(List.of(1L, 2L), events.stream().map(BankAccountEvent::getVersion).toList());
        assertEquals(keyedLate.getCommandId(), events.get(1).getCommandId());
        assertTrue(events.stream().noneMatch(e -> e.getCommandId().equals(unkeyedLate.getCommandId())),
                "the unkeyed late deposit was appended");
    }

    // --- fixtures

    /**
     * A writer of {@code partition} with this test's prefix, a fresh state and a queue of {@code maxQueued}, not
     * started: what is submitted stays queued until the test starts it.
     */
    private PartitionWriter newWriter(int partition, int maxQueued) {
        WriterSettings settings = WriterSettings.of(KafkaClients.of(Map.of("bootstrap.servers", bootstrapServers)),
                prefix, Duration.ofHours(24), 500, Duration.ofSeconds(1), Clock.systemUTC(), registry,
                CommandMetrics.none()).withMaxQueued(maxQueued);
        PartitionWriter writer = new PartitionWriter(partition, settings, new PartitionState(partition), stopped -> {
        });
        writers.add(writer);
        return writer;
    }

    /** A writer of {@link #PARTITION} with this test's prefix and a fresh state (no local checkpoint file), started and ready. */
    private PartitionWriter startWriter() throws Exception {
        return startWriter(PARTITION);
    }

    @Test
    void shouldKeepANumberReservedWhenANewWriterTakesThePartition() throws Exception {
        // given: writer A reserved and confirmed a number for an account
        String number = numberOf(PARTITION);
        String holder = UUID.randomUUID().toString();
        PartitionWriter a = startWriter();
        assertEquals(CommandOutcome.ACCEPTED, await(a.submit(numberCommand(AccountNumberAction.RESERVE, number, holder))).getOutcome());
        assertEquals(CommandOutcome.ACCEPTED, await(a.submit(numberCommand(AccountNumberAction.CONFIRM, number, holder))).getOutcome());
        a.stop(WAIT);

        // when: a new writer (a state of its own) takes the partition and another account asks for the number,
        // written another way
        PartitionWriter b = startWriter();
        CommandResult other = await(b.submit(numberCommand(AccountNumberAction.RESERVE, number.toLowerCase(java.util.Locale.ROOT),
                UUID.randomUUID().toString())));

        // then
        assertEquals(CommandOutcome.REJECTED, other.getOutcome());
        assertEquals(AccountNumbers.TAKEN, other.getRejectionCode());
        assertEquals(holder, other.getReservation().getAccountId());
        assertEquals(ReservationStatus.CONFIRMED, other.getReservation().getStatus());
    }

    @Test
    void shouldRefuseTheNumberOfAnAccountOpenedBeforeReservationsExistedWhenTheWriterImportsThem() throws Exception {
        // given: an account whose aggregate is in the aggregates topic but whose number was never reserved (opened by
        // a version without reservations), and a reservations partition that was never imported
        String number = numberOf(PARTITION);
        String existing = UUID.randomUUID().toString();
        AccountAggregate aggregate = EventFold.apply(null, event(existing, 1, AccountOpened.newBuilder(opened("EUR", "1"))
                .setAccountNumber(number).build()));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.AGGREGATES.name(), AccountPartitioner.partitionOf(existing, partitions),
                    existing, AvroSerdes.value(AccountAggregate.class, registry).serializer()
                    .serialize(Topics.AGGREGATES.name(), aggregate))).get(10, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>(Topics.NUMBER_RESERVATIONS.name(), PARTITION, Topics.NUMBERS_IMPORTED_KEY,
                    null)).get(10, TimeUnit.SECONDS);
        }

        // when: a writer restores the partition and another account asks for that number
        PartitionWriter writer = startWriter();
        CommandResult other = await(writer.submit(numberCommand(AccountNumberAction.RESERVE, number, UUID.randomUUID().toString())));

        // then: the existing account holds it, confirmed
        assertEquals(CommandOutcome.REJECTED, other.getOutcome(), () -> "" + other);
        assertEquals(AccountNumbers.TAKEN, other.getRejectionCode());
        assertEquals(existing, other.getReservation().getAccountId());
        assertEquals(ReservationStatus.CONFIRMED, other.getReservation().getStatus());
    }

    /** A new account number whose reservation lives in {@code partition}. */
    private static String numberOf(int partition) {
        while (true) {
            String number = "IT" + UUID.randomUUID().toString().replace("-", "").substring(0, 20).toUpperCase(java.util.Locale.ROOT);
            if (AccountPartitioner.partitionOf(AccountNumbers.key(number), partitions) == partition) {
                return number;
            }
        }
    }

    private static AccountNumberCommand numberCommand(AccountNumberAction action, String number, String accountId) {
        String openCommandId = UUID.nameUUIDFromBytes(("open:" + accountId).getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
        return AccountNumberCommand.newBuilder()
                .setCommandId(UUID.randomUUID().toString())
                .setAction(action)
                .setAccountNumber(number)
                .setAccountId(accountId)
                .setOpenCommandId(openCommandId)
                .setOpenFingerprint("fp-" + openCommandId)
                .setReplaces(null)
                .setCorrelationId(UUID.randomUUID().toString())
                .setIssuedAt(java.time.Instant.now())
                .build();
    }

    private PartitionWriter startWriter(int partition) throws Exception {
        return startWriter(partition, new PartitionState(partition));
    }

    private PartitionWriter startWriter(int partition, PartitionState state) throws Exception {
        return startWriter(partition, state, Clock.systemUTC());
    }

    private PartitionWriter startWriter(int partition, PartitionState state, Clock clock) throws Exception {
        return startWriter(partition, state, clock, 500);
    }

    private PartitionWriter startWriter(int partition, PartitionState state, Clock clock, int maxBatch) throws Exception {
        return startWriter(partition, state, clock, maxBatch, Duration.ofSeconds(1));
    }

    private PartitionWriter startWriter(int partition, PartitionState state, Clock clock, int maxBatch,
                                        Duration aggregatesInterval) throws Exception {
        WriterSettings settings = WriterSettings.of(KafkaClients.of(Map.of("bootstrap.servers", bootstrapServers)),
                prefix, Duration.ofHours(24), maxBatch, aggregatesInterval, clock, registry, CommandMetrics.none());
        boolean fresh = state.aggregates.isEmpty() && state.outcomes.isEmpty() && state.reservations.isEmpty();
        PartitionWriter writer = new PartitionWriter(partition, settings, state, stopped -> {
        });
        writers.add(writer);
        writer.start();
        try {
            writer.ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            return writer;
        } catch (java.util.concurrent.ExecutionException failed) {
            if (!fresh || writer.state() != PartitionWriter.State.FAILED) {
                throw failed;
            }
            // what PartitionOwnership does with a writer that failed to start (not fenced): a new one, with a new
            // state, after a pause. Seen once in a full build: the broker (4.3.1, transactions version 2) answered a
            // new transactional id's first transaction with InvalidTxnStateException, a fatal producer error
            Thread.sleep(1_000);
            PartitionWriter again = new PartitionWriter(partition, settings, new PartitionState(partition), stopped -> {
            });
            writers.add(again);
            again.start();
            again.ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            return again;
        }
    }

    /**
     * A started writer of {@link #PARTITION} on the cluster at {@code bootstrap}, with this test's prefix and a local
     * checkpoint file in {@code stateDir} (none when null).
     */
    private PartitionWriter startCheckpointedWriter(String bootstrap, Path stateDir) throws Exception {
        WriterSettings settings = WriterSettings.of(KafkaClients.of(Map.of("bootstrap.servers", bootstrap)),
                prefix, Duration.ofHours(24), 500, Duration.ofSeconds(1), Clock.systemUTC(), registry,
                CommandMetrics.none());
        if (stateDir != null) {
            try (Admin cluster = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                settings = settings.withCheckpoints(stateDir, CommandSideTopics.of(cluster.describeTopics(
                        Topics.COMMAND_SIDE.stream().map(TopicSpec::name).toList()).allTopicNames().get()).ids());
            }
        }
        PartitionWriter writer = new PartitionWriter(PARTITION, settings, new PartitionState(PARTITION), stopped -> {
        });
        writers.add(writer);
        writer.start();
        writer.ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return writer;
    }

    /**
     * A started checkpointed writer ({@link #startCheckpointedWriter}) that has committed {@code command}: when the
     * broker fails a new writer's first transaction (the InvalidTxnStateException {@link #startWriter} describes, seen
     * again on a loaded machine), a new writer takes the partition, as PartitionOwnership does, and decides it.
     */
    private PartitionWriter firstCommand(String bootstrap, Path stateDir, BankAccountCommand command) throws Exception {
        PartitionWriter writer = startCheckpointedWriter(bootstrap, stateDir);
        try {
            await(writer.submit(CommandHandlerSpec.TELLER, command));
            return writer;
        } catch (ExecutionException failed) {
            // the writer stops just after answering its batch
            if (!(failed.getCause() instanceof NotOwnerException)
                    || eventually(writer::state, PartitionWriter.State.FAILED) != PartitionWriter.State.FAILED) {
                throw failed;
            }
            PartitionWriter again = startCheckpointedWriter(bootstrap, stateDir);
            await(again.submit(CommandHandlerSpec.TELLER, command));
            return again;
        }
    }

    /** {@code count} new account ids of {@link #PARTITION}. */
    private static List<String> accounts(int count) {
        return accounts(PARTITION, count);
    }

    private static List<String> accounts(int partition, int count) {
        List<String> accounts = new ArrayList<>();
        while (accounts.size() < count) {
            String id = UUID.randomUUID().toString();
            if (AccountPartitioner.partitionOf(id, partitions) == partition) {
                accounts.add(id);
            }
        }
        return accounts;
    }

    /** {@code value}'s answer once it is {@code expected}, or its last answer after 5 s. */
    private static <T> T eventually(java.util.function.Supplier<T> value, T expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        T last = value.get();
        while (!expected.equals(last) && System.nanoTime() < deadline) {
            Thread.sleep(10);
            last = value.get();
        }
        return last;
    }

    private static CommandResult await(CompletableFuture<CommandResult> future) throws Exception {
        return future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Writes {@code log} in one transaction of a plain producer, as a writer from before the aggregates topic did. */
    private static void appendDirectly(List<BankAccountEvent> log) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "writer-it-migration-" + UUID.randomUUID()),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (BankAccountEvent event : log) {
                producer.send(new ProducerRecord<>(Topics.EVENTS.name(), PARTITION, event.getAggregateId(),
                        events.serializer().serialize(Topics.EVENTS.name(), event)));
            }
            producer.commitTransaction();
        }
    }

    private static long endOffset() {
        return endOffset(new TopicPartition(Topics.EVENTS.name(), PARTITION));
    }

    /**
     * The last stable offset of {@code partition} once every transaction written to it before the call is decided:
     * the commit markers of the last command's transaction may still be on their way when its future completes.
     */
    private static long endOffset(TopicPartition partition) {
        return DecidedOffsets.of(admin, List.of(partition), DECIDED_WAIT).get(partition);
    }

    /** The committed events of {@link #PARTITION} from {@code from} to the decided end ({@link #endOffset(TopicPartition)}). */
    private static List<ConsumerRecord<String, BankAccountEvent>> readCommitted(long from) {
        return readCommitted(PARTITION, from);
    }

    private static List<ConsumerRecord<String, BankAccountEvent>> readCommitted(int number, long from) {
        TopicPartition partition = new TopicPartition(Topics.EVENTS.name(), number);
        List<ConsumerRecord<String, BankAccountEvent>> read = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            consumer.assign(List.of(partition));
            consumer.seek(partition, from);
            long end = endOffset(partition);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (consumer.position(partition) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    read.add(new ConsumerRecord<>(record.topic(), record.partition(), record.offset(), record.key(),
                            events.deserializer().deserialize(record.topic(), record.value())));
                }
            }
            assertTrue(consumer.position(partition) >= end, "read the log to its end in time");
        }
        return read;
    }

    /**
     * The last version of each of {@code accounts} on {@link #PARTITION} of the aggregates topic from {@code from}
     * to the decided end ({@link #endOffset(TopicPartition)}); accounts with no record there are left out.
     */
    private static Map<String, Long> aggregateVersions(long from, List<String> accounts) {
        TopicPartition partition = new TopicPartition(Topics.AGGREGATES.name(), PARTITION);
        var deserializer = AvroSerdes.value(dev.eventbank.schemas.commands.AccountAggregate.class, registry).deserializer();
        Map<String, Long> versions = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            consumer.assign(List.of(partition));
            consumer.seek(partition, from);
            long end = endOffset(partition);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (consumer.position(partition) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (accounts.contains(record.key())) {
                        versions.put(record.key(), deserializer.deserialize(record.topic(), record.value()).getVersion());
                    }
                }
            }
            assertTrue(consumer.position(partition) >= end, "read the aggregates to their end in time");
        }
        return versions;
    }

    private static List<BankAccountEvent> eventsOf(List<ConsumerRecord<String, BankAccountEvent>> log, String account) {
        return log.stream().filter(r -> account.equals(r.key())).map(ConsumerRecord::value).toList();
    }

    /** A clock that stands still unless the test moves it on. */
    private static final class MutableClock extends Clock {

        // whole milliseconds, as CommandResult.completedAt (timestamp-millis) keeps them; 26 h in the past, since
        // events carry the writer's time and the broker refuses records more than an hour ahead of its own clock
        // (log.message.timestamp.after.max.ms), so moving it on 25 h stays in the past
        private volatile java.time.Instant now = java.time.Instant.now().minus(Duration.ofHours(26))
                .truncatedTo(java.time.temporal.ChronoUnit.MILLIS);

        /** Moves the clock on; answers the new time. */
        java.time.Instant advance(Duration duration) {
            now = now.plus(duration);
            return now;
        }

        @Override
        public java.time.Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    private static long runsOfConsecutiveOffsets(List<ConsumerRecord<String, BankAccountEvent>> log) {
        long runs = 0;
        long previous = Long.MIN_VALUE;
        for (ConsumerRecord<String, BankAccountEvent> record : log) {
            if (record.offset() != previous + 1) {
                runs++;
            }
            previous = record.offset();
        }
        return runs;
    }

    private static KafkaConsumer<String, byte[]> consumer() {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new ByteArrayDeserializer());
    }
}
