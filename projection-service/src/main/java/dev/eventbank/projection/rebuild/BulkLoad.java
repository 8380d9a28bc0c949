package dev.eventbank.projection.rebuild;

import dev.eventbank.projection.history.AccountHistoryProjection;
import dev.eventbank.projection.history.AccountHistoryView;
import dev.eventbank.projection.history.HistoryKeys;
import dev.eventbank.projection.pipeline.InternalTopicSettings;
import dev.eventbank.projection.pipeline.LogProgress;
import dev.eventbank.projection.snapshots.SnapshotProjection;
import dev.eventbank.projection.snapshots.Snapshots;
import dev.eventbank.projection.state.AccountStateProjection;
import dev.eventbank.projection.totals.BankTotalsProjection;
import dev.eventbank.projection.totals.BankTotalsView;
import dev.eventbank.schemas.catalog.TopicProvisioner;
import dev.eventbank.schemas.catalog.TopicSpec;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.common.AccountStatus;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.readmodel.AccountSnapshot;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.readmodel.AccountStateView;
import dev.eventbank.schemas.readmodel.BankTotals;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.schemas.serde.SchemaRegistryException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * A rebuild's first pass: folds the event log up to where it ends now outside Kafka Streams, with a plain
 * {@code read_committed} consumer reading one partition at a time in large fetches, on a thread of its own that reads
 * ahead of the fold ({@link PartitionPrefetch}), and writes what the generation's
 * stores would hold after those events straight into their changelog topics (every history entry and snapshot, each
 * account's last state, the bank totals), committing the consumer group's positions on the log in the same
 * transactions. The generation's Kafka Streams app then starts as after a restart: it restores its stores from the
 * changelogs and processes the log from those positions (the events written meanwhile), with the same gate, catch-up
 * and switch as a rebuild without this pass.
 *
 * <p>Why: Kafka Streams folds a rebuild one record at a time through its caches, stores, changelogs and the totals'
 * repartition topic: 25,000 to 40,000 events a second on the reference machine, 5 to 7 % of what one consumer reads
 * and decodes from the same log (docs/read-side-performance.md); every account's state is encoded and decoded for
 * each of its events, and every event's totals delta goes through the broker twice. Here each state is encoded once
 * per transaction, the totals never leave memory until the end of a transaction, and restoring a store is Kafka
 * Streams' bulk path. Kafka Streams has no API to fill a store other than processing or restoring its changelog.
 *
 * <p>It folds with the read models' own evolve functions ({@link AccountStateView#evolve},
 * {@link AccountHistoryView#evolve}, {@link Snapshots#evolve}, {@link BankTotalsView#delta} summed by
 * {@link BankTotalsProjection#sumOrRefuse}) in the order the fold processor calls them, and skips what a gated
 * generation skips (undecodable records, tombstones, keys that do not match the event, events the state rejects or
 * already has: a rebuild dead-letters nothing), so its changelogs hold what Kafka Streams would have written
 * ({@code BulkLoadIT} compares the two). The changelog formats are Kafka Streams' for these stores: the key and
 * value as their serdes write them (the value serdes registering under {@code <changelog>-value}, as Kafka Streams
 * does), the totals' value without the timestamp its store keeps, the timestamp in the record.
 *
 * <p>Each transaction holds the records of up to {@link Options#eventsPerTransaction} events of one partition (or of
 * {@link #TRANSACTION_MAX_OPEN}, whichever comes first) and the group's position after them, so whatever was committed
 * is a prefix of each partition's log that the changelogs hold exactly, and Kafka Streams can go on from any of them.
 * So the pass never fails a rebuild: a partition with more than {@link Options#maxAccountsPerPartition} accounts
 * (their states are held in memory while the partition is folded) is left at its last commit and the pass goes on
 * with the next; an error from Kafka or the registry ends the pass at its last commits; either way Kafka Streams
 * folds the rest, with its own retries. A stop request ({@code stopped}, or an interrupt: a cancelled rebuild, a
 * shutdown) ends it at once, its open transaction aborted. Its clients wait at most {@link #CLIENT_WAIT} for the
 * broker, so a stop is carried out within about that.
 *
 * <p>Limits: the totals are summed partition by partition rather than in the log's interleaved order; sums of exact
 * decimals do not depend on order, only {@link BankTotalsProjection#sumOrRefuse}'s refusal of a sum beyond the
 * contract could. One folding thread (the caller's) and one reading thread; not reusable.
 */
public final class BulkLoad {

    /** Its transactional id: {@code <application id>}{@value}. */
    static final String TRANSACTIONAL_ID_SUFFIX = "-bulk-load";

    private static final Logger LOG = LoggerFactory.getLogger(BulkLoad.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** Polls the reader may run ahead of the fold: up to 4 x 5,000 records held in memory besides the fetches. */
    private static final int PREFETCH_POLLS = 4;

    /** The longest a transaction stays open before it commits with what it has (the broker's timeout is twice). */
    static final Duration TRANSACTION_MAX_OPEN = Duration.ofSeconds(10);

    /** The longest a send, commit or close waits for the broker (Kafka's {@code max.block.ms} is 60 s). */
    static final Duration CLIENT_WAIT = Duration.ofSeconds(10);
    private static final String BANK_TOTALS_KEY = BankTotalsProjection.KEY;

    /**
     * @param snapshots              the generation's snapshot policy
     * @param eventsPerTransaction   events of one partition per transaction, 1 or more
     * @param maxAccountsPerPartition states held in memory while one partition is folded, 1 or more; beyond it the
     *                               partition is left at its last commit
     */
    public record Options(Snapshots.Policy snapshots, int eventsPerTransaction, int maxAccountsPerPartition) {
        /** @throws IllegalArgumentException for a count below 1 */
        public Options {
            if (eventsPerTransaction < 1 || maxAccountsPerPartition < 1) {
                throw new IllegalArgumentException("eventsPerTransaction and maxAccountsPerPartition must be 1 or more");
            }
        }
    }

    /**
     * What the pass did.
     *
     * @param events    records of the log its commits cover (folded or skipped), as counted in the progress
     * @param complete  whether its commits reach the end it set out to (false: Kafka Streams folds the rest)
     * @param reason    why they do not, null when complete
     */
    record Result(long events, boolean complete, String reason) {
    }

    private final Map<String, Object> connection;
    private final String eventsTopic;
    private final String applicationId;
    private final short replicationFactor;
    private final Options options;
    private final LogProgress progress;
    private final Deserializer<BankAccountEvent> events;
    private final Serializer<AccountState> states;
    private final Serializer<AccountSnapshot> snapshots;
    private final Serializer<BankTotals> totalsSerializer;
    private final String stateChangelog;
    private final String historyChangelog;
    private final String snapshotChangelog;
    private final String totalsChangelog;
    /** Offsets of the log the pass set out to read (records and transaction markers); -1 until known. */
    private volatile long offsetsToRead = -1;
    /** Offsets of the log passed so far, and the records among them. */
    private volatile long offsetsPassed;
    private volatile long recordsRead;

    /**
     * @param connection        the Kafka connection (bootstrap servers, security) of the projection's clients
     * @param applicationId     the generation's application id (its changelogs' prefix and consumer group)
     * @param replicationFactor of the changelogs it creates (-1 = the broker's default)
     * @param progress          the generation's counters: the records read count as processed after each poll, and
     *                          those of a transaction that is aborted are taken back
     */
    BulkLoad(Map<String, Object> connection, SchemaRegistryClient registry, String applicationId,
             short replicationFactor, Options options, LogProgress progress) {
        this(connection, registry, applicationId, replicationFactor, options, progress, Topics.EVENTS.name());
    }

    /** As above, folding {@code eventsTopic} instead of the event log (the tests' own topics). */
    BulkLoad(Map<String, Object> connection, SchemaRegistryClient registry, String applicationId,
             short replicationFactor, Options options, LogProgress progress, String eventsTopic) {
        this.eventsTopic = eventsTopic;
        this.connection = Map.copyOf(connection);
        this.applicationId = applicationId;
        this.replicationFactor = replicationFactor;
        this.options = options;
        this.progress = progress;
        this.events = AvroSerdes.value(BankAccountEvent.class, registry).deserializer();
        this.states = AvroSerdes.value(AccountState.class, registry).serializer();
        this.snapshots = AvroSerdes.value(AccountSnapshot.class, registry).serializer();
        this.totalsSerializer = AvroSerdes.value(BankTotals.class, registry).serializer();
        this.stateChangelog = GenerationAdmin.changelog(applicationId, AccountStateProjection.STORE);
        this.historyChangelog = GenerationAdmin.changelog(applicationId, AccountHistoryProjection.STORE);
        this.snapshotChangelog = GenerationAdmin.changelog(applicationId, SnapshotProjection.STORE);
        this.totalsChangelog = GenerationAdmin.changelog(applicationId, BankTotalsProjection.STORE);
    }

    /**
     * Runs the pass on the calling thread.
     *
     * @param stopped asked at each poll (as is the thread's interrupt); true ends the pass at once, its open
     *                transaction aborted
     * @return what its commits cover; never throws for Kafka's or the registry's failures, which end the pass at its
     *         last commits (incomplete, with the error as the reason)
     */
    Result run(BooleanSupplier stopped) {
        long started = System.nanoTime();
        long cpuStarted = currentThreadCpuNanos();
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerConfig(), new StringDeserializer(),
                new ByteArrayDeserializer());
        KafkaProducer<byte[], byte[]> producer = null;
        PartitionPrefetch prefetch = null;
        Pass pass = null;
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(eventsTopic, CLIENT_WAIT)) {
                partitions.add(new TopicPartition(info.topic(), info.partition()));
            }
            partitions.sort(java.util.Comparator.comparingInt(TopicPartition::partition));
            createChangelogs(partitions.size());
            // read_committed: the last stable offsets, the end Kafka Streams' own first fetch would see now
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, CLIENT_WAIT);
            Map<TopicPartition, Long> begins = consumer.beginningOffsets(partitions, CLIENT_WAIT);
            offsetsToRead = offsetsToRead(begins, ends);
            producer = new KafkaProducer<>(producerConfig(), new ByteArraySerializer(), new ByteArraySerializer());
            producer.initTransactions();
            List<PartitionPrefetch.Segment> segments = new ArrayList<>();
            for (TopicPartition partition : partitions) {
                segments.add(new PartitionPrefetch.Segment(partition, begins.get(partition), ends.get(partition)));
            }
            prefetch = new PartitionPrefetch(consumer, segments, PREFETCH_POLLS, CLIENT_WAIT);
            prefetch.start(applicationId + TRANSACTIONAL_ID_SUFFIX + "-reader");
            pass = new Pass(producer, prefetch, partitions.size(), stopped);
            LOG.info("rebuild bulk load started applicationId={} partitions={} offsets={}", applicationId,
                    partitions.size(), offsetsToRead);
            List<String> left = new ArrayList<>();
            for (TopicPartition partition : partitions) {
                String stop = pass.fold(partition, begins.get(partition), ends.get(partition));
                if (Pass.STOPPED.equals(stop)) {
                    return stoppedResult(pass);
                }
                if (stop != null) {
                    left.add(stop);
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            String reason = left.isEmpty() ? null : String.join("; ", left);
            // the two threads' CPU seconds: what the pass cost, apart from the time it waited for a core
            long cpuEnded = currentThreadCpuNanos();
            LOG.info("rebuild bulk load done applicationId={} events={} applied={} accounts={} seconds={} eventsPerSecond={} "
                            + "foldCpuSeconds={} readerCpuSeconds={}{}",
                    applicationId, pass.committed, pass.applied, pass.accountsTotal, String.format(Locale.ROOT, "%.1f", seconds),
                    Math.round(pass.committed / Math.max(seconds, 1e-3)),
                    cpuSeconds(cpuStarted < 0 || cpuEnded < 0 ? -1 : cpuEnded - cpuStarted), cpuSeconds(prefetch.cpuNanos()),
                    reason == null ? "" : " left to Kafka Streams=\"" + reason + "\"");
            return new Result(pass.committed, reason == null, reason);
        } catch (org.apache.kafka.common.errors.InterruptException | org.apache.kafka.common.errors.WakeupException e) {
            Thread.currentThread().interrupt();
            return stoppedResult(pass);
        } catch (RuntimeException e) {
            if (Thread.currentThread().isInterrupted() || stopped.getAsBoolean()) {
                // a stop that met the thread inside a call which turns the interrupt into its own failure (the schema
                // registry's client: found by cancelling while a changelog's schema was being registered) is a stop
                return stoppedResult(pass);
            }
            long events = pass == null ? 0 : pass.committed;
            // what was committed is consistent (a prefix of each partition, with its position); Kafka Streams goes on
            // from there and retries what failed here the way it retries its own records
            LOG.warn("rebuild bulk load ended by an error applicationId={} events={} error=\"{}\"; Kafka Streams folds the rest",
                    applicationId, events, e.toString());
            return new Result(events, false, "bulk load error: " + e);
        } finally {
            // a stop interrupts this thread, and Kafka's clients closed on an interrupted thread give up their clean
            // close and log an ERROR with a stack trace (one each per cancel, found by trying it): they are closed with
            // the flag cleared, and the flag is set again after
            boolean interrupted = Thread.interrupted();
            if (prefetch != null) {
                // before the consumer's close: the reader's thread owns the consumer until it ended
                prefetch.close();
            }
            if (pass != null) {
                // an open transaction left by a stop or an error is aborted by the producer's close below (a pass that
                // ends at its commits has nothing to take back)
                pass.retract();
            }
            // a plain close waits for an open transaction's abort without a bound
            if (producer != null) {
                KafkaProducer<byte[], byte[]> closing = producer;
                closeQuietly(() -> closing.close(CLIENT_WAIT));
            }
            closeQuietly(() -> consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(CLIENT_WAIT)));
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The calling thread's CPU time in nanoseconds, or -1 where the JVM does not measure it (the figures of the log
     * line only: a JVM without it must not fail a pass).
     */
    static long currentThreadCpuNanos() {
        try {
            return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : -1;
        } catch (UnsupportedOperationException e) {
            return -1;
        }
    }

    private static String cpuSeconds(long nanos) {
        return nanos < 0 ? "unknown" : String.format(Locale.ROOT, "%.2f", nanos / 1e9);
    }

    /** Logs the stop and says what the commits of {@code pass} (null: none made) cover. */
    private Result stoppedResult(Pass pass) {
        long events = pass == null ? 0 : pass.committed;
        LOG.info("rebuild bulk load stopped applicationId={} events={}", applicationId, events);
        return new Result(events, false, Pass.STOPPED);
    }

    private void closeQuietly(Runnable close) {
        try {
            close.run();
        } catch (RuntimeException e) {
            LOG.debug("rebuild bulk load client not closed cleanly applicationId={} error=\"{}\"", applicationId, e.toString());
        }
    }

    /**
     * The records left to read, estimated from the offsets left and the share of records among the offsets passed
     * (the rest are transaction markers: one per transaction of the command writers, so up to one offset in two);
     * null before the first poll. Read by the rebuild monitor while the pass runs.
     */
    Long estimatedEventsLeft() {
        long total = offsetsToRead;
        long passed = offsetsPassed;
        if (total < 0 || passed <= 0) {
            return null;
        }
        return Math.round((total - passed) * (recordsRead / (double) passed));
    }

    private static long offsetsToRead(Map<TopicPartition, Long> begins, Map<TopicPartition, Long> ends) {
        long sum = 0;
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            sum += Math.max(0, end.getValue() - begins.get(end.getKey()));
        }
        return sum;
    }

    private void createChangelogs(int partitions) {
        // the configs Kafka Streams gives a key-value store's changelog, with the index size it is given
        // (InternalTopicSettings); it accepts topics that exist with its partition count (the log's) and creates the
        // rest (the totals' repartition topic) itself
        Map<String, String> compacted = Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "CreateTime",
                TopicConfig.SEGMENT_INDEX_BYTES_CONFIG, String.valueOf(InternalTopicSettings.SEGMENT_INDEX_BYTES));
        List<TopicSpec> specs = List.of(stateChangelog, historyChangelog, snapshotChangelog, totalsChangelog).stream()
                .map(name -> new TopicSpec(name, partitions, compacted)).toList();
        try (Admin admin = Admin.create(connection)) {
            new TopicProvisioner(admin, 0, replicationFactor).ensure(specs);
        }
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> config = new HashMap<>(connection);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, applicationId + TRANSACTIONAL_ID_SUFFIX);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString().toLowerCase(Locale.ROOT));
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // a log start that moved past the position (retention, DeleteRecords) must not skip records silently: it ends
        // the pass, and Kafka Streams (auto.offset.reset=earliest) takes the partition from its last commit
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        // the pass reads to ends already written and never waits for new records; with Kafka's 500 ms, the fetch the
        // consumer sends ahead once a partition's last records are returned waited the whole 500 ms at the log's end,
        // and the next partition's first fetch waited behind it (one fetch per broker at a time): about half of a
        // pass's time on a 12-partition log (docs/read-side-performance.md, "2026-12-04, evening")
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        config.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 16 * 1024 * 1024);
        return config;
    }

    private Map<String, Object> producerConfig() {
        Map<String, Object> config = new HashMap<>(connection);
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, applicationId + TRANSACTIONAL_ID_SUFFIX);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, applicationId + TRANSACTIONAL_ID_SUFFIX);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // large batches: a pass writes about one changelog record per event, nobody waits for any one of them
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024);
        // as every transactional client of the system (README "Kafka settings the write path needs")
        config.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 5);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) CLIENT_WAIT.toMillis());
        config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) TRANSACTION_MAX_OPEN.multipliedBy(2).toMillis());
        return config;
    }

    /**
     * One account of the partition being folded: its state, and what the open transaction did to it.
     *
     * <p>The bank totals are summed per account at each commit, not per event: the per-event deltas of one account
     * ({@link BankTotalsView#delta}) add up to the delta from its state before the transaction to its state after
     * it, with the transaction's count of its events, the latest of their updates, and a zero count for a status it
     * passed through and left (as the per-event sum leaves one). Exact decimals make the two sums equal; they differ
     * only in what {@link BankTotalsProjection#sumOrRefuse} refuses when a currency's total would pass
     * {@code decimal(51,4)} (one account's transaction then, not one event). Why: the per-event sum built and copied
     * four small maps per event, a tenth of the folding thread's time in its profile (docs/read-side-performance.md).
     */
    private static final class Account {
        private AccountState state;
        /** Its state before the open transaction's first event of it (null when it opened in it). */
        private AccountState atTransactionStart;
        private int eventsInTransaction;
        private Instant latestUpdate;
        /** The statuses its states had in the open transaction, one bit per {@link AccountStatus} ordinal. */
        private int statuses;
        /** When its last snapshot was taken (for a snapshot policy by time). */
        private Instant lastSnapshotAt;

        /**
         * Takes {@code after}, the state its next event gave, {@code before} being the one it had.
         *
         * @return whether this is the account's first change in the open transaction
         */
        boolean changedBy(AccountState before, AccountState after) {
            boolean first = eventsInTransaction == 0;
            if (first) {
                atTransactionStart = before;
            }
            state = after;
            eventsInTransaction++;
            if (latestUpdate == null || after.getUpdatedAt().isAfter(latestUpdate)) {
                latestUpdate = after.getUpdatedAt();
            }
            statuses |= 1 << after.getStatus().ordinal();
            return first;
        }

        /** The sum of the open transaction's per-event totals deltas of this account. */
        BankTotals totalsDelta() {
            BankTotals delta = BankTotalsView.delta(atTransactionStart, state);
            delta.setEventsApplied(eventsInTransaction);
            delta.setUpdatedAt(latestUpdate);
            for (AccountStatus status : AccountStatus.values()) {
                if ((statuses & 1 << status.ordinal()) != 0) {
                    delta.getAccountsByStatus().putIfAbsent(status.name(), 0L);
                }
            }
            return delta;
        }

        void committed() {
            atTransactionStart = null;
            eventsInTransaction = 0;
            latestUpdate = null;
            statuses = 0;
        }
    }

    /** The fold of one pass over the log: the open transaction and the states of the partition being folded. */
    private final class Pass {
        /** {@link #fold(TopicPartition, long, long)}'s answer when asked to stop: the pass ends. */
        static final String STOPPED = "stopped";

        private final KafkaProducer<byte[], byte[]> producer;
        private final PartitionPrefetch reader;
        private final int totalsPartition;
        private final BooleanSupplier stopped;
        /** The accounts of the partition being folded, by id. */
        private final Map<String, Account> accounts = new HashMap<>();
        /** Those the open transaction changed, in the order of their first change in it. */
        private final List<Account> changed = new ArrayList<>();
        /** The totals as of the last commit (null before any account): only a commit moves them. */
        private BankTotals totals;
        /** The timestamp of the totals' record: the latest of the events folded, and as of the last commit. */
        private long totalsTimestamp = -1;
        private long committedTotalsTimestamp = -1;
        private boolean inTransaction;
        private long transactionStarted;
        private int eventsInTransaction;
        /** Records read since the last commit (folded or skipped), and the timestamp of the last. */
        private long readInTransaction;
        /** Of those, the records already reported to the progress, which an abort takes back. */
        private long reportedInTransaction;
        private long lastTimestamp;
        private long read;
        /** Records of the log the commits cover. */
        private long committed;
        /** Events the commits cover that changed an account (the rest were skipped), and of the open transaction. */
        private long applied;
        private long appliedInTransaction;
        private long accountsTotal;

        Pass(KafkaProducer<byte[], byte[]> producer, PartitionPrefetch reader, int partitions, BooleanSupplier stopped) {
            this.producer = producer;
            this.reader = reader;
            this.stopped = stopped;
            // where the totals' one key goes: Kafka Streams repartitions it with the producer's default partitioner
            this.totalsPartition = Utils.toPositive(Utils.murmur2(BANK_TOTALS_KEY.getBytes(StandardCharsets.UTF_8)))
                    % partitions;
        }

        /**
         * Folds {@code partition} from {@code begin} to {@code end}: null when its commits reach {@code end},
         * {@link #STOPPED} when asked to stop, else why the partition was left at its last commit.
         */
        String fold(TopicPartition partition, long begin, long end) {
            if (end <= begin) {
                return null;
            }
            accounts.clear();
            long passedBefore = offsetsPassed;
            while (true) {
                if (stopped.getAsBoolean() || Thread.currentThread().isInterrupted()) {
                    abort();
                    return STOPPED;
                }
                PartitionPrefetch.Item item = next();
                if (item == null) {
                    continue;
                }
                if (item instanceof PartitionPrefetch.Failed failed) {
                    throw failed.error();
                }
                if (item instanceof PartitionPrefetch.End) {
                    break;
                }
                PartitionPrefetch.Batch batch = (PartitionPrefetch.Batch) item;
                for (ConsumerRecord<String, byte[]> record : batch.records()) {
                    if (record.offset() >= end) {
                        break;
                    }
                    fold(record);
                    if (accounts.size() > options.maxAccountsPerPartition()) {
                        abort();
                        reader.skip(partition);
                        if (!passOver(partition)) {
                            return STOPPED;
                        }
                        return "partition " + partition.partition() + " has more than "
                                + options.maxAccountsPerPartition() + " accounts";
                    }
                    if (eventsInTransaction >= options.eventsPerTransaction()
                            || inTransaction && System.nanoTime() - transactionStarted >= TRANSACTION_MAX_OPEN.toNanos()) {
                        commit(partition, record.offset() + 1);
                    }
                }
                report(partition.partition());
                offsetsPassed = passedBefore + (Math.min(batch.position(), end) - begin);
                recordsRead = read;
            }
            commit(partition, end);
            accountsTotal += accounts.size();
            return null;
        }

        /**
         * The reader's next item, waiting at most a poll's time; null when none came.
         *
         * @throws org.apache.kafka.common.errors.InterruptException when interrupted while waiting (a stop, as the
         *                                                           consumer's own poll would throw)
         */
        private PartitionPrefetch.Item next() {
            try {
                return reader.next(POLL);
            } catch (InterruptedException e) {
                throw new org.apache.kafka.common.errors.InterruptException(e);
            }
        }

        /**
         * Takes the reader's items of a skipped {@code partition} up to its end; false when asked to stop meanwhile.
         *
         * @throws RuntimeException the reader's failure, as {@link #fold(TopicPartition, long, long)}
         */
        private boolean passOver(TopicPartition partition) {
            while (true) {
                if (stopped.getAsBoolean() || Thread.currentThread().isInterrupted()) {
                    return false;
                }
                PartitionPrefetch.Item item = next();
                if (item instanceof PartitionPrefetch.Failed failed) {
                    throw failed.error();
                }
                if (item instanceof PartitionPrefetch.End) {
                    return true;
                }
            }
        }

        private void fold(ConsumerRecord<String, byte[]> record) {
            read++;
            readInTransaction++;
            lastTimestamp = record.timestamp();
            if (record.value() == null || record.key() == null) {
                return;
            }
            BankAccountEvent event;
            try {
                event = events.deserialize(Topics.EVENTS.name(), record.value());
            } catch (RuntimeException e) {
                // as the fold processor: the registry's failure is not the record's and ends the pass (Kafka Streams
                // retries it); the record's own fault is skipped (the active generation dead-lettered it already)
                if (SchemaRegistryException.registryFailed(e)) {
                    throw e;
                }
                return;
            }
            if (event == null || !record.key().equals(event.getAggregateId())) {
                return;
            }
            Account account = accounts.get(record.key());
            AccountState before = account == null ? null : account.state;
            if (!(AccountStateView.evolve(before, event) instanceof AccountStateView.Fold.Applied fold)) {
                return;
            }
            appliedInTransaction++;
            AccountState after = fold.state();
            if (account == null) {
                account = new Account();
                accounts.put(record.key(), account);
            }
            if (account.changedBy(before, after)) {
                changed.add(account);
            }
            begin();
            eventsInTransaction++;
            AccountHistoryView.Entry entry = AccountHistoryView.evolve(event, record.value());
            send(historyChangelog, record.partition(), record.timestamp(), entry.key(), record.value());
            totalsTimestamp = Math.max(totalsTimestamp, record.timestamp());
            Snapshots.Policy policy = options.snapshots();
            AccountSnapshot snapshot = Snapshots.evolve(policy, after,
                    policy.byTime() ? account.lastSnapshotAt : null, record.partition(), record.offset());
            if (snapshot != null) {
                if (policy.byTime()) {
                    account.lastSnapshotAt = snapshot.getUpdatedAt();
                }
                send(snapshotChangelog, record.partition(), record.timestamp(),
                        HistoryKeys.key(record.key(), snapshot.getVersion()),
                        snapshots.serialize(snapshotChangelog, snapshot));
            }
        }

        private void begin() {
            if (!inTransaction) {
                producer.beginTransaction();
                inTransaction = true;
                transactionStarted = System.nanoTime();
            }
        }

        private void send(String topic, int partition, long timestamp, String key, byte[] value) {
            producer.send(new ProducerRecord<>(topic, partition, timestamp, key.getBytes(StandardCharsets.UTF_8), value));
        }

        /** Ends the open transaction with the changed states, the totals and the group's position {@code next}. */
        private void commit(TopicPartition partition, long next) {
            begin();
            long now = System.currentTimeMillis();
            BankTotals sum = totals;
            for (Account account : changed) {
                send(stateChangelog, partition.partition(), now, account.state.getAccountId(),
                        states.serialize(stateChangelog, account.state));
                BankTotals delta = account.totalsDelta();
                sum = sum == null ? delta : BankTotalsProjection.sumOrRefuse(sum, delta);
                account.committed();
            }
            if (!changed.isEmpty()) {
                send(totalsChangelog, totalsPartition, Math.max(totalsTimestamp, 0), BANK_TOTALS_KEY,
                        totalsSerializer.serialize(totalsChangelog, sum));
            }
            changed.clear();
            producer.sendOffsetsToTransaction(Map.of(partition, new OffsetAndMetadata(next)),
                    new ConsumerGroupMetadata(applicationId));
            producer.commitTransaction();
            inTransaction = false;
            eventsInTransaction = 0;
            totals = sum;
            committedTotalsTimestamp = totalsTimestamp;
            report(partition.partition());
            committed += readInTransaction;
            readInTransaction = 0;
            applied += appliedInTransaction;
            appliedInTransaction = 0;
            reportedInTransaction = 0;
        }

        /**
         * Reports the records read since the last report to the progress, after each poll's records: a status that
         * moved only at commits moved a partition at a time (about 83,000 events in the bench's log).
         */
        private void report(int partition) {
            long unreported = readInTransaction - reportedInTransaction;
            if (unreported > 0) {
                progress.processed(partition, lastTimestamp, unreported);
                reportedInTransaction = readInTransaction;
            }
        }

        /**
         * Takes back from the progress what the open transaction reported: its records are not committed, and Kafka
         * Streams folds them again (counted then).
         */
        private void retract() {
            if (reportedInTransaction > 0) {
                progress.retracted(reportedInTransaction);
                reportedInTransaction = 0;
            }
        }

        /** Drops the open transaction and takes the totals' timestamp back (the totals move only at a commit). */
        private void abort() {
            retract();
            if (inTransaction) {
                producer.abortTransaction();
                inTransaction = false;
            }
            totalsTimestamp = committedTotalsTimestamp;
            // the accounts' states are dropped by the caller (the partition is left or the pass ends)
            changed.clear();
            eventsInTransaction = 0;
            readInTransaction = 0;
            appliedInTransaction = 0;
        }
    }
}
