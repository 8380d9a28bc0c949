package dev.eventbank.command.ownership;

import dev.eventbank.command.writer.PartitionState;
import dev.eventbank.command.writer.PartitionWriter;
import dev.eventbank.command.writer.WriterSettings;
import dev.eventbank.schemas.catalog.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Which partitions of {@code bank-account-events} this instance owns, from Kafka group membership: a consumer in
 * the group {@code groupId} subscribed to the event log (cooperative-sticky assignment, so a rebalance moves only
 * the partitions that must move). It never reads a record: its partitions stay paused; it exists for the
 * assignment. For every partition assigned it starts a {@link PartitionWriter}, for every partition revoked or
 * lost it stops it. Its {@code client.id} carries this instance's URL, which is how the other instances find the
 * owner of a partition ({@link OwnerDirectory}). Its consumer is configured by {@code kafka.*}, then
 * {@code kafka.consumers.command-writers.*} ({@link #CONSUMER}); the group id, the client id and auto-commit (off)
 * are its own.
 *
 * <p>The group's session timeout bounds how long a crashed or frozen owner's partitions wait for a new owner; a
 * frozen owner that wakes up later is fenced by the new owner's writer and acknowledges nothing more.
 *
 * <p>A writer that failed by itself (not fenced) is started again while the partition is still assigned here; a
 * fenced one only after two session timeouts, since a fenced writer normally means the partition is moving
 * away and starting it again would fence the new owner.
 *
 * <p>Why its own {@code KafkaConsumer} and not a micronaut-kafka {@code @KafkaListener}: it never reads a record;
 * it is a group member for the assignment alone, and must start only once the HTTP server's URL is known (it is in
 * the client id). A listener exists to process records, and starts with the context.
 */
public final class PartitionOwnership implements AutoCloseable {

    /** The name of the ownership's consumer in the configuration ({@code kafka.consumers.<name>}). */
    public static final String CONSUMER = "command-writers";

    private static final Logger LOG = LoggerFactory.getLogger(PartitionOwnership.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

    private final String groupId;
    private final WriterSettings settings;
    private final Duration sessionTimeout;
    private final int partitions;
    private final Map<Integer, PartitionWriter> writers = new ConcurrentHashMap<>();
    private final Map<Integer, Retained> retained = new ConcurrentHashMap<>();
    private final java.util.concurrent.PriorityBlockingQueue<Stopped> stoppedByThemselves =
            new java.util.concurrent.PriorityBlockingQueue<>(16, java.util.Comparator.comparingLong(Stopped::notBefore));
    private final Map<Integer, Integer> failuresInARow = new ConcurrentHashMap<>();
    /** When each partition's current writer became ready (System.nanoTime). */
    private final Map<Integer, Long> readySince = new ConcurrentHashMap<>();
    private KafkaConsumer<byte[], byte[]> consumer;
    private volatile String endpoint;
    private Thread thread;
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile boolean joined;

    /**
     * Ownership of the {@code partitions} partitions of the event log; joins the group on {@link #start}.
     *
     * @param sessionTimeout how long the group waits for a silent member before moving its partitions away
     */
    public PartitionOwnership(String groupId, Duration sessionTimeout, int partitions, WriterSettings settings) {
        this.groupId = groupId;
        this.settings = settings;
        this.sessionTimeout = sessionTimeout;
        this.partitions = partitions;
    }

    /**
     * The ownership consumer's settings: {@code kafka.*}, its own tunable ones, {@code kafka.consumers.command-writers.*},
     * then what the ownership rests on, which no configuration changes: the group is the set of writers, the client id
     * is how the others find this instance ({@link OwnerDirectory}), nothing is committed, and no static membership
     * (a {@code group.instance.id} shared by two instances would make each fence the other out of the group).
     */
    Map<String, Object> consumerConfig(String endpoint) {
        Map<String, Object> config = settings.kafka().consumer(CONSUMER, Map.of(
                ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName(),
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) sessionTimeout.toMillis(),
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(sessionTimeout.toMillis() / 4, 500),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"));
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, OwnerDirectory.clientIdFor(endpoint));
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        return config;
    }

    /**
     * Joins the group, on a thread of its own.
     *
     * @param endpoint the base URL other instances reach this one at, e.g. {@code http://10.0.0.5:8080}
     */
    public synchronized void start(String endpoint) {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        this.endpoint = endpoint;
        this.consumer = new KafkaConsumer<>(consumerConfig(endpoint), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "partition-ownership");
        this.thread.setDaemon(true);
        thread.start();
        LOG.info("partition ownership started group={} endpoint={} partitions={}", groupId, endpoint, partitions);
    }

    /** This instance's URL as other instances reach it; null before {@link #start}. */
    public String endpoint() {
        return endpoint;
    }

    /** Partitions of the event log (fixed at its creation). */
    public int partitions() {
        return partitions;
    }

    /** The writer of {@code partition} when this instance owns it, else null. */
    public PartitionWriter writer(int partition) {
        return writers.get(partition);
    }

    /** True once the group assigned partitions to this instance and each of their writers is ready. */
    public boolean isReady() {
        return joined && running && writers.values().stream().allMatch(w -> w.state() == PartitionWriter.State.READY);
    }

    /** The partitions this instance owns now. */
    public java.util.Set<Integer> owned() {
        return new java.util.TreeSet<>(writers.keySet());
    }

    /** True while the membership thread runs (false after a fatal error or close). */
    public boolean isAlive() {
        return running && (thread == null || thread.isAlive());
    }

    /** Each owned partition's writer state, by partition. */
    public Map<Integer, String> writerStates() {
        Map<Integer, String> states = new TreeMap<>();
        writers.forEach((partition, writer) -> states.put(partition, writer.state().name()));
        return states;
    }

    private void run() {
        try {
            consumer.subscribe(List.of(Topics.EVENTS.name()), new Rebalance());
            while (running) {
                consumer.poll(Duration.ofMillis(200));
                restartStopped();
                forgetRetained(System.nanoTime());
            }
        } catch (WakeupException e) {
            // close()
        } catch (RuntimeException e) {
            LOG.error("partition ownership failed error=\"{}\"", e.toString(), e);
        } finally {
            running = false;
            try {
                // leaves the group: revokes (and so stops) every writer first
                consumer.close(Duration.ofSeconds(10));
            } catch (RuntimeException e) {
                LOG.warn("ownership consumer close failed error=\"{}\"", e.toString());
            }
            stopAll(writers.keySet());
            closed.countDown();
        }
    }

    private void restartStopped() {
        long now = System.nanoTime();
        for (Stopped stopped; (stopped = stoppedByThemselves.peek()) != null && stopped.notBefore() <= now; ) {
            stoppedByThemselves.poll();
            int partition = stopped.writer().partition();
            if (writers.get(partition) == stopped.writer()
                    && consumer.assignment().contains(new TopicPartition(Topics.EVENTS.name(), partition))) {
                LOG.info("partition writer restarting partition={} previousState={}", partition, stopped.writer().state());
                startWriter(partition);
            }
        }
    }

    /** A writer that stopped by itself, to start again not before {@code notBefore} (System.nanoTime). */
    private record Stopped(PartitionWriter writer, long notBefore) {
    }

    private void startWriter(int partition) {
        PartitionState kept = takeRetained(partition, System.nanoTime());
        PartitionWriter writer = new PartitionWriter(partition, settings,
                kept != null ? kept : new PartitionState(partition), this::stoppedByItself);
        writers.put(partition, writer);
        writer.ready().thenRun(() -> readySince.put(partition, System.nanoTime()));
        writer.start();
    }

    /** A failed writer that had been ready this long starts the back-off again at 1 s. */
    private static final Duration FAILURES_FORGOTTEN_AFTER = Duration.ofMinutes(1);

    /**
     * On the writer's thread. A fenced writer waits two session timeouts, a failed one backs off 1, 2, 4 .. 30 s
     * (failures in a row: a failure after a minute of service counts as the first).
     */
    private void stoppedByItself(PartitionWriter writer) {
        Duration delay;
        if (writer.state() == PartitionWriter.State.FENCED) {
            readySince.remove(writer.partition());
            delay = sessionTimeout.multipliedBy(2);
        } else {
            Long since = readySince.remove(writer.partition());
            if (since != null && System.nanoTime() - since >= FAILURES_FORGOTTEN_AFTER.toNanos()) {
                // a writer that served for a while failed once: not one more of a row of failed starts
                failuresInARow.remove(writer.partition());
            }
            int failures = failuresInARow.merge(writer.partition(), 1, Integer::sum);
            delay = Duration.ofSeconds(Math.min(30, 1L << Math.min(failures - 1, 5)));
        }
        stoppedByThemselves.add(new Stopped(writer, System.nanoTime() + delay.toNanos()));
    }

    /**
     * Stops the writers of {@code partitions} in parallel, against one deadline ({@link #STOP_TIMEOUT}): one after
     * another, each finishing its transaction, writing its aggregates and closing its producer, a revocation of six
     * partitions left them without an owner for up to six times that, inside the rebalance.
     */
    private void stopAll(Collection<Integer> partitions) {
        List<PartitionWriter> stopping = new java.util.ArrayList<>();
        for (Integer partition : List.copyOf(partitions)) {
            PartitionWriter writer = writers.remove(partition);
            if (writer != null) {
                writer.requestStop();
                stopping.add(writer);
            }
        }
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        for (PartitionWriter writer : stopping) {
            writer.awaitStop(deadline);
            failuresInARow.remove(writer.partition());
            readySince.remove(writer.partition());
            PartitionState kept = writer.stoppedState();
            if (kept != null) {
                retain(writer.partition(), kept, System.nanoTime());
            }
        }
    }

    /**
     * The state of a partition this instance stopped writing, kept for a writer of it here later, from
     * {@code since} (System.nanoTime()).
     */
    private record Retained(PartitionState state, long since) {
    }

    /**
     * How long the state of a partition that moved away is kept for its return: a rebalance that hands it back
     * (a rolling restart of the other instances, cooperative rebalancing's two rounds) comes within this, and its
     * writer then reads only what was written since. Kept for ever, the states of every partition an instance once
     * owned stayed in its memory (the first instance of a deployment restores all of them, then gives most away);
     * after this a returning partition restores from its checkpoint file and Kafka, as at a start.
     */
    static final Duration RETAINED_FOR = Duration.ofMinutes(10);

    /** The kept state of {@code partition}, taken (null when none, or kept longer than {@link #RETAINED_FOR}). */
    PartitionState takeRetained(int partition, long now) {
        Retained kept = retained.remove(partition);
        return kept == null || now - kept.since() > RETAINED_FOR.toNanos() ? null : kept.state();
    }

    /** Drops the kept states older than {@link #RETAINED_FOR} at {@code now} (System.nanoTime()). */
    void forgetRetained(long now) {
        retained.values().removeIf(kept -> now - kept.since() > RETAINED_FOR.toNanos());
    }

    /** Keeps {@code state} of {@code partition} from {@code since} (System.nanoTime()), as a stop does. */
    void retain(int partition, PartitionState state, long since) {
        retained.put(partition, new Retained(state, since));
    }

    @Override
    public synchronized void close() {
        running = false;
        if (consumer == null) {
            return;
        }
        consumer.wakeup();
        try {
            if (!closed.await(30, TimeUnit.SECONDS)) {
                LOG.warn("partition ownership did not close in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writers follow the assignment. Runs on the membership thread, inside poll. */
    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            consumer.pause(assigned);
            for (TopicPartition tp : assigned) {
                startWriter(tp.partition());
            }
            joined = true;
            LOG.info("partitions assigned assigned={} owned={}", partitionsOf(assigned), owned());
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            if (revoked.isEmpty()) {
                return;
            }
            stopAll(partitionsOf(revoked));
            LOG.info("partitions revoked revoked={} owned={}", partitionsOf(revoked), owned());
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            stopAll(partitionsOf(lost));
            LOG.warn("partitions lost lost={} owned={}", partitionsOf(lost), owned());
        }

        private List<Integer> partitionsOf(Collection<TopicPartition> partitions) {
            return partitions.stream().map(TopicPartition::partition).sorted().toList();
        }
    }
}
