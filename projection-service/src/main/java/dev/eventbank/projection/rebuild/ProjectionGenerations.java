package dev.eventbank.projection.rebuild;

import dev.eventbank.support.kafka.KafkaClients;
import dev.eventbank.projection.pipeline.LogProgress;
import dev.eventbank.projection.pipeline.Publishing;
import dev.eventbank.schemas.catalog.TopicSpec;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.support.streams.ManagedStreams;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs the projection in <em>generations</em> and rebuilds it from the log without a gap in reads.
 *
 * <p>The active generation (persisted in {@link GenerationControl}'s compacted topic, read at start) serves the
 * interactive queries and publishes the read-model topics. {@link #startRebuild} starts generation N+1 in this
 * process next to it, under a new application id, so its stores are built from the beginning of the log (first by a
 * {@link BulkLoad} into their changelogs, when configured, then by Kafka Streams from where it ended); it publishes nothing ({@link Publishing} gate closed) while it catches up, and reads keep going to
 * generation N. A monitor measures it every 250 ms (events processed, events/s, lag of its consumer group from
 * {@link GenerationAdmin}, ETA) and logs a line every 5 s. When it has caught up ({@link CatchUp}: every partition
 * of the log and of its repartition topic at most one offset behind, a transaction marker, or, while events keep
 * coming, everything up to where the log ended a check before through the whole topology) it hands the public
 * topics over ({@link Handover}: closes N's gate, waits until N+1 has processed what N published) and switches:
 * opens the gate with a one-time re-publish of every account's state and latest snapshot and of the bank totals,
 * records generation N+1 as active in the control topic, routes reads to it, then stops generation N, leaves and
 * deletes its consumer group, deletes its internal topics with their registry subjects, and its local state.
 *
 * <p>Every change of the rebuild happens on the one monitor thread (HTTP calls hand their work to it and wait), so
 * start, switch, cancel and failure never race; {@link #active()} and {@link #status()} are volatile reads. The
 * rebuild's phases are a sealed type ({@link RebuildPhase}); its measurements are {@link RebuildProgress}, and
 * deleting a generation's left-overs is {@link GenerationCleanup}.
 *
 * <p>Limits: one instance. A restart during a rebuild abandons it (its leftovers are deleted at the next start; start
 * it again). With several instances only the one that took the request builds the new generation: the others keep
 * the old one until restarted (they read the control topic at start), and the old group is then not deleted
 * because it still has members. Two generations in one process need about twice the memory and disk of one while
 * the rebuild runs. The old generation's exactly-once transactional ids expire on the broker by themselves
 * ({@code transactional.id.expiration.ms}).
 */
public final class ProjectionGenerations implements AutoCloseable {

    /** Builds a generation's topology with its own progress counters and publishing gate. */
    @FunctionalInterface
    public interface TopologyFactory {
        Topology build(LogProgress progress, Publishing publishing);
    }

    /** The request does not fit the rebuild's current state (one is already running, nothing to switch, ...). */
    public static final class Conflict extends RuntimeException {
        Conflict(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The rebuild's monitor thread has not carried out the request within the call timeout: it is busy with it or an
     * earlier step (stopping a generation, a slow broker). The request is still queued or running and may take effect.
     */
    public static final class Busy extends RuntimeException {
        Busy(String message) {
            super(message, null, false, false);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(ProjectionGenerations.class);
    /**
     * The monitor's step: how soon the status moves, a finished bulk load hands over to Kafka Streams and a caught-up
     * generation switches. A bulk load of 1,000,000 events takes about 5 s here, which a 1 s step measured in one
     * or two status changes, and up to a step was lost at each of its hand-over and the switch.
     */
    private static final Duration TICK = Duration.ofMillis(250);
    private static final Duration LOG_EVERY = Duration.ofSeconds(5);
    /** Reads that picked the old generation just before the switch finish before it is closed. */
    private static final Duration READ_GRACE = Duration.ofSeconds(1);
    /** How long a switch waits for the new generation to reach what the old one published (Handover). */
    private static final Duration HANDOVER_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration HANDOVER_CHECK = Duration.ofMillis(200);
    /**
     * How often the switch checks whether the old generation's last transaction committed, and asks again for its
     * positions while one is pending (it commits fresh events every 100 ms, else once per commit interval).
     */
    private static final Duration LAST_COMMIT_CHECK = Duration.ofMillis(50);
    /** How long after a start with an abandoned rebuild the active generation may take to run and re-publish. */
    private static final Duration REPUBLISH_WAIT = Duration.ofMinutes(10);
    /** How long a cancel or shutdown waits for a bulk load to abort its transaction and close its clients. */
    private static final Duration LOAD_STOP_WAIT = Duration.ofSeconds(30);

    private final TopologyFactory topologies;
    private final Properties streamsProperties;
    /**
     * Longer than a generation's commit interval (Kafka Streams' commit.interval.ms): how long a quiet log must stay
     * unchanged for the new generation to count as holding everything ({@link Handover}).
     */
    private final Duration settle;
    private final String base;
    private final Path stateDir;
    private final List<TopicSpec> topics;
    private final int partitions;
    private final short replicationFactor;
    private final GenerationControl control;
    private final GenerationAdmin admin;
    private final GenerationCleanup cleanup;
    private final Topology described;
    private final Duration callTimeout;
    private final SchemaRegistryClient registry;
    private final BulkLoad.Options bulkLoad;
    private final ScheduledExecutorService monitor = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "projection-rebuild");
        thread.setDaemon(true);
        return thread;
    });
    private final List<Consumer<ProjectionGeneration>> activationListeners = new CopyOnWriteArrayList<>();

    private volatile ProjectionGeneration active;
    private volatile RebuildStatus status;
    /** Confined to the monitor thread. */
    private Rebuild rebuild;
    private ProjectionGeneration retiring;

    /**
     * @param streamsProperties Kafka Streams properties of every generation, without application id and state dir
     * @param stateDir          the configured state directory (generation 0's; later ones get {@code g<N>} in it)
     * @param registry          the registry the generations' serdes register in: a retired generation's internal
     *                          topics' subjects are deleted with the topics
     * @param callTimeout       how long a start, switch or cancel waits for the monitor thread before it answers
     *                          {@link Busy} (the work stays queued)
     * @param bulkLoad          how a rebuild's first pass folds the log outside Kafka Streams ({@link BulkLoad});
     *                          null: a rebuild's Kafka Streams app folds the whole log itself
     */
    public ProjectionGenerations(TopologyFactory topologies, Properties streamsProperties, String baseApplicationId,
                                 Path stateDir, List<TopicSpec> topics, int partitions, short replicationFactor,
                                 SchemaRegistryClient registry, Duration callTimeout, BulkLoad.Options bulkLoad) {
        this.topologies = topologies;
        this.registry = registry;
        this.bulkLoad = bulkLoad;
        this.callTimeout = callTimeout;
        this.streamsProperties = streamsProperties;
        // Kafka Streams' default with exactly-once is 100 ms; ProjectionFactory sets the backlog interval (1 s)
        this.settle = Duration.ofMillis(Long.parseLong(String.valueOf(streamsProperties.getOrDefault(
                org.apache.kafka.streams.StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100"))) + 500);
        this.base = baseApplicationId;
        this.stateDir = stateDir;
        this.topics = List.copyOf(topics);
        this.partitions = partitions;
        this.replicationFactor = replicationFactor;
        Map<String, Object> connection = KafkaClients.connectionOf(streamsProperties);
        this.control = new GenerationControl(connection, baseApplicationId);
        this.admin = new GenerationAdmin(connection);
        // only for the names of the internal topics a generation creates
        this.described = topologies.build(LogProgress.NONE, Publishing.ALWAYS);
        this.cleanup = new GenerationCleanup(admin, registry, this::internalTopics);
    }

    /** Starts the generation the control topic names (0 if none); cleans up after a rebuild a restart abandoned. */
    public void start() {
        List<TopicSpec> needed = new ArrayList<>(topics);
        needed.add(GenerationControl.TOPIC);
        admin.ensureTopics(needed, partitions, replicationFactor);
        GenerationControl.State persisted = control.read();
        // open, and closable: a switch closes it before the new generation publishes (Handover)
        active = startGeneration(persisted.active(), Publishing.open());
        status = RebuildStatus.none(active.number(), active.applicationId());
        LOG.info("projection generation started generation={} applicationId={} stateDir={}",
                active.number(), active.applicationId(), active.stateDir());
        monitor.execute(() -> deleteLeftoverGenerations(persisted));
        if (persisted.rebuildAbandoned()) {
            monitor.execute(() -> cleanUpAbandoned(persisted.rebuilding()));
        } else if (persisted.rebuilding() != null && persisted.rebuilding() == persisted.active()) {
            // a switch whose rebuild record was not ended: its outcome may have been undecided, the previous
            // generation publishing again after this one's re-publish, so this one re-publishes once (same versions)
            monitor.execute(() -> {
                republishWhenRunning(active, System.nanoTime() + REPUBLISH_WAIT.toNanos(), "a switch not ended");
                // the re-publish waits for the generation to run (restoring its stores may take long), then commits
                endRebuildWhenRepublished(active, System.nanoTime() + REPUBLISH_WAIT.toNanos()
                        + REPUBLISH_CONFIRM.toNanos(), null);
            });
        }
    }

    /** The generation that serves reads now. */
    public ProjectionGeneration active() {
        return active;
    }

    /** Called with each generation that becomes active (after the switch), e.g. to re-bind metrics. */
    public void onActivated(Consumer<ProjectionGeneration> listener) {
        activationListeners.add(listener);
    }

    /** The current or last rebuild of this instance. */
    public RebuildStatus status() {
        return status;
    }

    /**
     * Starts generation N+1 from the beginning of the log.
     *
     * @param autoSwitch switch as soon as it has caught up; false = wait for {@link #requestSwitch()}
     * @throws Conflict when a rebuild is already running or another instance switched
     */
    public RebuildStatus startRebuild(boolean autoSwitch) {
        return onMonitor(() -> {
            if (rebuild != null && !rebuild.phase.finished()) {
                throw new Conflict("a rebuild of generation " + rebuild.generation.number()
                        + " is already running (" + rebuild.phase.name() + "); follow it with GET /admin/rebuild or cancel it "
                        + "with DELETE /admin/rebuild");
            }
            GenerationControl.State persisted = control.read();
            if (persisted.active() != active.number()) {
                throw new Conflict("the control topic names generation " + persisted.active()
                        + " as active but this instance runs generation " + active.number() + ": restart it first");
            }
            if (persisted.rebuildAbandoned()) {
                // a rebuild whose end was not recorded (its switch undecided, or its record's tombstone failed): what
                // is left of it goes first, since the new rebuild record would hide it from every later start
                String leftover = ProjectionGeneration.applicationId(base, persisted.rebuilding());
                if (!cleanup.abandoned(leftover, ProjectionGeneration.stateDir(stateDir, persisted.rebuilding()))) {
                    throw new Conflict("the unfinished rebuild of generation " + persisted.rebuilding()
                            + " still runs on another instance: stop it first");
                }
            }
            long number = persisted.highest() + 1;
            control.rebuilding(number);
            ProjectionGeneration generation;
            Rebuild started;
            try {
                generation = createGeneration(number, Publishing.gated());
                started = new Rebuild(generation, autoSwitch);
                if (bulkLoad == null) {
                    generation.streams().start();
                } else {
                    started.loading = startBulkLoad(started);
                }
            } catch (RuntimeException e) {
                control.rebuildEnded();
                throw e;
            }
            rebuild = started;
            rebuild.ticks = monitor.scheduleWithFixedDelay(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
            status = status(rebuild);
            LOG.info("rebuild started generation={} applicationId={} activeGeneration={} autoSwitch={}",
                    number, generation.applicationId(), active.number(), autoSwitch);
            return status;
        });
    }

    /** With {@code autoSwitch=false}: switch at the next check at which the new generation is caught up. */
    public RebuildStatus requestSwitch() {
        return onMonitor(() -> {
            if (rebuild == null || !rebuild.phase.beforeSwitch()) {
                throw new Conflict("no rebuild is waiting to switch");
            }
            rebuild.switchWhenCaughtUp = true;
            return status;
        });
    }

    /** Stops the running rebuild and deletes what it built; the active generation is untouched. */
    public RebuildStatus cancel() {
        return onMonitor(() -> {
            if (rebuild == null || !rebuild.phase.beforeSwitch()) {
                throw new Conflict("no rebuild to cancel" + (rebuild != null && rebuild.phase instanceof RebuildPhase.Switching
                        ? ": it is already switching" : ""));
            }
            end(rebuild, null);
            return status;
        });
    }

    /** One progress step; never throws (an exception would end the scheduled ticks). */
    private void tick() {
        try {
            measureAndAct();
        } catch (RuntimeException | Error e) {
            LOG.error("rebuild monitor step failed error=\"{}\"", e.toString(), e);
        }
    }

    /** Measure, log every {@link #LOG_EVERY}, switch or fail when due. */
    private void measureAndAct() {
        Rebuild current = rebuild;
        if (current == null || !current.phase.beforeSwitch()) {
            return;
        }
        if (current.loading != null) {
            whileLoading(current);
            return;
        }
        KafkaStreams.State state = current.generation.streams().state();
        if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR
                || state == KafkaStreams.State.NOT_RUNNING || state == KafkaStreams.State.PENDING_SHUTDOWN) {
            end(current, "generation " + current.generation.number() + " stopped: Kafka Streams state " + state
                    + " (see the service log)");
            return;
        }
        GenerationAdmin.Lag lag;
        try {
            lag = admin.lag(current.generation.applicationId(), Topics.EVENTS.name(),
                    GenerationAdmin.repartitionTopics(internalTopics(current.generation.applicationId())));
        } catch (Exception e) {
            LOG.warn("rebuild progress not measured generation={} error=\"{}\"", current.generation.number(), e.toString());
            return;
        }
        current.progress.sample(System.nanoTime(), current.generation.progress().processedCount(),
                RebuildProgress.displayLag(current.generation, lag));
        status = status(current);
        if (current.progress.logDue(LOG_EVERY)) {
            RebuildStatus now = status;
            LOG.info("rebuild progress generation={} events={} eventsTotalEstimated={} eventsPerSecond={} eventsLeftEstimated={} etaSeconds={} state={}",
                    now.generation(), now.eventsProcessed(), now.eventsTotal(), Math.round(now.eventsPerSecond()),
                    now.lag(), now.etaSeconds() == null ? "?" : Math.round(now.etaSeconds()), state);
        }
        if (state != KafkaStreams.State.RUNNING) {
            // a rebalance may move its positions: the steps start again once it runs
            current.catchUp.forget();
            return;
        }
        if (!current.catchUp.caughtUp(lag)) {
            return;
        }
        if (current.switchWhenCaughtUp) {
            switchTo(current);
        } else if (current.phase instanceof RebuildPhase.Rebuilding) {
            current.phase = new RebuildPhase.CaughtUp();
            status = status(current);
            LOG.info("rebuild caught up generation={} events={}; waiting for POST /admin/rebuild/switch",
                    current.generation.number(), current.progress.processed());
        }
    }

    /**
     * Runs the rebuild's {@link BulkLoad} on a thread of its own; its result completes the future, which the monitor's
     * ticks look at ({@link #whileLoading}).
     */
    private CompletableFuture<BulkLoad.Result> startBulkLoad(Rebuild current) {
        CompletableFuture<BulkLoad.Result> result = new CompletableFuture<>();
        BulkLoad load = new BulkLoad(KafkaClients.connectionOf(streamsProperties), registry,
                current.generation.applicationId(), replicationFactor, bulkLoad, current.generation.progress());
        current.loader = load;
        Thread thread = new Thread(() -> {
            try {
                result.complete(load.run(current.stopLoading::get));
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
            }
        }, "projection-rebuild-load-g" + current.generation.number());
        thread.setDaemon(true);
        current.loaderThread = thread;
        thread.start();
        return result;
    }

    /**
     * A tick while the bulk load runs: its progress (events committed, events left estimated from the offsets left),
     * then, once it is done, the generation's Kafka Streams app starts from the positions it committed (a bulk load
     * that ended early, even by an error, leaves the rest to Kafka Streams); only an {@link Error} in it fails the
     * rebuild.
     */
    private void whileLoading(Rebuild current) {
        long number = current.generation.number();
        if (!current.loading.isDone()) {
            current.progress.sample(System.nanoTime(), current.generation.progress().processedCount(),
                    current.loader.estimatedEventsLeft());
            status = status(current);
            if (current.progress.logDue(LOG_EVERY)) {
                RebuildStatus now = status;
                LOG.info("rebuild progress generation={} events={} eventsTotalEstimated={} eventsPerSecond={} eventsLeftEstimated={} etaSeconds={} state=BULK_LOAD",
                        number, now.eventsProcessed(), now.eventsTotal(), Math.round(now.eventsPerSecond()), now.lag(),
                        now.etaSeconds() == null ? "?" : Math.round(now.etaSeconds()));
            }
            return;
        }
        BulkLoad.Result loaded;
        try {
            loaded = current.loading.join();
        } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            end(current, "the bulk load of generation " + number + " failed: " + cause);
            return;
        }
        current.loading = null;
        try {
            current.generation.streams().start();
        } catch (RuntimeException e) {
            end(current, "generation " + number + " did not start after its bulk load: " + e);
            return;
        }
        LOG.info("rebuild bulk load handed to Kafka Streams generation={} events={} complete={}{}", number,
                loaded.events(), loaded.complete(), loaded.reason() == null ? "" : " reason=\"" + loaded.reason() + "\"");
    }

    /**
     * Asks a running bulk load to stop (and interrupts it, should it wait for the broker) and waits for it, its open
     * transaction aborted, at most {@link #LOAD_STOP_WAIT} (its clients wait at most {@link BulkLoad#CLIENT_WAIT}).
     *
     * @return false when it is still running: its transactions may still write, so its topics and group must not be
     *         deleted now
     */
    private static boolean stopBulkLoad(Rebuild current) {
        if (current.loading == null || current.loading.isDone()) {
            return true;
        }
        current.stopLoading.set(true);
        current.loaderThread.interrupt();
        try {
            current.loading.get(LOAD_STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            LOG.warn("rebuild bulk load still running after {} s generation={}", LOAD_STOP_WAIT.toSeconds(),
                    current.generation.number());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return current.loading.isDone();
        }
    }

    private void switchTo(Rebuild current) {
        ProjectionGeneration next = current.generation;
        current.phase = new RebuildPhase.HandingOver();
        status = status(current);
        String notHandedOver = handOver(active, next);
        if (notHandedOver != null) {
            // publishing again, with its accounts' current states once: what it processed meanwhile was not published
            active.publishing().enable(true);
            if (Thread.currentThread().isInterrupted()) {
                // stopping: the rebuild is abandoned, cleaned up (and the active generation re-published) at the
                // next start
                return;
            }
            end(current, notHandedOver);
            return;
        }
        try {
            next.publishing().enable(true);
            control.activate(next.number());
        } catch (GenerationControl.ActivationUnknownException e) {
            // which one a restart runs is not known: the previous one serves and publishes, neither is deleted
            next.publishing().disable();
            active.publishing().enable(true);
            if (Thread.currentThread().isInterrupted()) {
                // stopping: the next start runs the generation the topic names
                return;
            }
            endUndecided(current, e.getMessage());
            return;
        } catch (RuntimeException e) {
            // the previous generation stays active: it publishes again, with its accounts once
            next.publishing().disable();
            active.publishing().enable(true);
            end(current, "could not record generation " + next.number() + " as active: " + e.getMessage());
            return;
        }
        ProjectionGeneration previous = active;
        retiring = previous;
        active = next;
        RebuildPhase.Switching switching = new RebuildPhase.Switching(Instant.now(), current.progress.elapsedSeconds());
        current.phase = switching;
        status = status(current);
        activationListeners.forEach(listener -> listener.accept(next));
        long processed = current.progress.processed();
        LOG.info("projection switched generation={} previousGeneration={} applicationId={} events={} seconds={} eventsPerSecond={}",
                next.number(), previous.number(), next.applicationId(), processed,
                String.format("%.1f", switching.secondsToSwitch()), Math.round(processed / switching.secondsToSwitch()));
        // the rebuild record stays until the re-publish asked for above is committed: a crash or stop before then
        // leaves it, and the next start re-publishes once
        endRebuildWhenRepublished(next, System.nanoTime() + REPUBLISH_CONFIRM.toNanos(), null);
        String warning = retire(previous);
        retiring = null;
        current.phase = new RebuildPhase.Done(switching.switchedAt(), switching.secondsToSwitch(), warning);
        status = status(current);
        current.ticks.cancel(false);
    }

    /**
     * Closes {@code previous}'s publishing, waits for its last transaction to commit, and waits until {@code next} has
     * processed at least what {@code previous} published ({@link Handover}), at most {@link #HANDOVER_TIMEOUT}. The
     * public topics get nothing new meanwhile (about a second under steady writes).
     *
     * @return null when handed over, else why not (the caller reopens {@code previous}'s publishing)
     */
    private String handOver(ProjectionGeneration previous, ProjectionGeneration next) {
        long start = System.nanoTime();
        long deadline = start + HANDOVER_TIMEOUT.toNanos();
        previous.publishing().disable();
        Map<org.apache.kafka.common.TopicPartition, Long> published;
        try {
            published = awaitPublished(previous, deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "the service is stopping";
        } catch (NotHandedOver e) {
            return e.getMessage();
        }
        long publishedReadMs = (System.nanoTime() - start) / 1_000_000;
        Handover handover = new Handover(Topics.EVENTS.name(), published, settle.toNanos());
        // at least one measurement, even when reading what the previous one published took until the deadline
        for (boolean first = true; first || System.nanoTime() < deadline; first = false) {
            try {
                if (handover.done(admin.lag(next.applicationId(), Topics.EVENTS.name(),
                        GenerationAdmin.repartitionTopics(internalTopics(next.applicationId()))), System.nanoTime())) {
                    LOG.info("projection handed over generation={} previousGeneration={} ms={} publishedReadMs={}",
                            next.number(), previous.number(), (System.nanoTime() - start) / 1_000_000,
                            publishedReadMs);
                    return null;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "the service is stopping";
            } catch (Exception e) {
                LOG.warn("handover not measured generation={} error=\"{}\"", next.number(), e.toString());
            }
            GenerationCleanup.sleep(HANDOVER_CHECK);
            if (Thread.currentThread().isInterrupted()) {
                return "the service is stopping";
            }
        }
        return "generation " + next.number() + " did not reach what generation " + previous.number()
                + " had published within " + HANDOVER_TIMEOUT.toSeconds() + " s; generation " + previous.number()
                + " publishes again";
    }

    /**
     * Waits until {@code previous} has committed everything it published before its publishing closed
     * ({@link CommitBarrier}), then reads its committed positions on the event log, each once none is pending on it
     * ({@link GenerationAdmin#stablePositions}: any stable answer read after the barrier is at least what was
     * published), until {@code deadline} ({@link System#nanoTime()}).
     *
     * @return the positions up to which {@code previous} published: offset by event-log partition it committed on
     * @throws NotHandedOver why not, when not by the deadline or the positions cannot be read
     * @throws InterruptedException the service is stopping
     */
    private Map<org.apache.kafka.common.TopicPartition, Long> awaitPublished(ProjectionGeneration previous,
                                                                             long deadline)
            throws NotHandedOver, InterruptedException {
        KafkaStreams streams = previous.streams().kafkaStreams();
        try {
            CommitBarrier barrier = CommitBarrier.after(CommitBarrier.commitsByThread(streams));
            Map<String, Double> commits;
            do {
                Thread.sleep(LAST_COMMIT_CHECK.toMillis());
                commits = CommitBarrier.commitsByThread(streams);
                if (System.nanoTime() >= deadline && !barrier.passed(commits)) {
                    throw new NotHandedOver("generation " + previous.number() + " did not commit what it had "
                            + "published within " + HANDOVER_TIMEOUT.toSeconds() + " s (stream threads "
                            + barrier.waitingFor(commits) + "); it publishes again");
                }
            } while (!barrier.passed(commits));
            java.util.Set<org.apache.kafka.common.TopicPartition> partitions =
                    admin.partitionsOf(Topics.EVENTS.name(), remaining(deadline));
            if (partitions.isEmpty()) {
                throw new NotHandedOver("the event log " + Topics.EVENTS.name() + " has no partitions to hand over; "
                        + "generation " + previous.number() + " publishes again");
            }
            Map<org.apache.kafka.common.TopicPartition, Long> stable = new java.util.HashMap<>();
            while (true) {
                java.util.Set<org.apache.kafka.common.TopicPartition> pending = new java.util.HashSet<>(partitions);
                pending.removeAll(stable.keySet());
                admin.stablePositions(previous.applicationId(), pending, remaining(deadline)).forEach(stable::putIfAbsent);
                if (stable.keySet().containsAll(partitions)) {
                    Map<org.apache.kafka.common.TopicPartition, Long> published = new java.util.HashMap<>(stable);
                    published.values().removeIf(offset -> offset < 0);
                    return published;
                }
                if (System.nanoTime() >= deadline) {
                    pending.removeAll(stable.keySet());
                    throw new NotHandedOver("generation " + previous.number() + "'s committed positions on " + pending
                            + " stayed unanswered (pending in a transaction, or an error) for "
                            + HANDOVER_TIMEOUT.toSeconds() + " s; it publishes again");
                }
                Thread.sleep(LAST_COMMIT_CHECK.toMillis());
            }
        } catch (NotHandedOver | InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw new NotHandedOver("could not read what generation " + previous.number() + " published, to hand "
                    + "over: " + e);
        }
    }

    /** What is left until {@code deadline} ({@link System#nanoTime()}), at least 1 ms: an admin call's timeout. */
    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
    }

    /** Why a handover did not happen; the previous generation publishes again. */
    private static final class NotHandedOver extends Exception {
        NotHandedOver(String why) {
            super(why, null, false, false);
        }
    }

    /** Stops the previous generation and deletes its group, internal topics and state; a warning if not all went. */
    private String retire(ProjectionGeneration previous) {
        GenerationCleanup.sleep(READ_GRACE);
        String warning = cleanup.discard(previous);
        LOG.info("projection generation retired generation={} applicationId={}{}", previous.number(),
                previous.applicationId(), warning == null ? "" : " warning=\"" + warning + "\"");
        return warning;
    }

    /**
     * Ends a rebuild without a switch, failed with {@code error} (or cancelled when null): stops the new generation
     * and deletes what it built.
     */
    private void end(Rebuild current, String error) {
        current.ticks.cancel(false);
        if (error != null) {
            LOG.error("rebuild failed generation={} reason=\"{}\"", current.generation.number(), error);
        } else {
            LOG.info("rebuild cancelled generation={}", current.generation.number());
        }
        // the phase says it is over before the clean-up, which takes seconds: no tick or request acts on it meanwhile
        current.phase = error != null ? new RebuildPhase.Failed(error, null) : new RebuildPhase.Cancelled(null);
        // its transactions must not write into topics being deleted: a bulk load that does not stop leaves them, and the
        // rebuild record, to the clean-up of an abandoned rebuild (the next start, or the next rebuild's)
        boolean loadStopped = stopBulkLoad(current);
        // a stopped bulk load took back what its open transaction had counted: the status shows what stays
        current.progress.sample(System.nanoTime(), current.generation.progress().processedCount(), current.progress.lag());
        if (!loadStopped) {
            current.generation.streams().stopAndLeaveGroup();
            String warning = "its bulk load did not stop within " + LOAD_STOP_WAIT.toSeconds() + " s: what it built is "
                    + "deleted at the next start or rebuild";
            current.phase = error != null ? new RebuildPhase.Failed(error, warning) : new RebuildPhase.Cancelled(warning);
            status = status(current);
            return;
        }
        String warning = cleanup.discard(current.generation);
        current.phase = error != null ? new RebuildPhase.Failed(error, warning) : new RebuildPhase.Cancelled(warning);
        endRebuildRecord();
        status = status(current);
    }

    /**
     * Ends the rebuild record of {@code generation}'s switch once its re-publish is committed: every task here ran its
     * pass ({@link Publishing#republished}), then every stream thread that holds a task counted a commit
     * ({@link CommitBarrier}). Looks every 500 ms on the monitor until {@code deadline} ({@link System#nanoTime()});
     * not confirmed by then (a task that moved to another instance, a generation not running), the record stays and the
     * next start re-publishes once more (the same versions). Leaves a record that no longer names this switch alone.
     */
    private void endRebuildWhenRepublished(ProjectionGeneration generation, long deadline, CommitBarrier barrier) {
        if (generation != active) {
            return;
        }
        CommitBarrier next = barrier;
        try {
            KafkaStreams streams = generation.streams().kafkaStreams();
            Publishing publishing = generation.publishing();
            if (next == null) {
                if (publishing.republishRequests() > 0 && publishing.republished()) {
                    next = CommitBarrier.after(CommitBarrier.commitsByThread(streams));
                }
            } else if (next.passed(CommitBarrier.commitsByThread(streams))) {
                Long recorded = control.read().rebuilding();
                if (recorded != null && recorded == generation.number()) {
                    endRebuildRecord();
                    LOG.info("projection re-publish committed generation={}", generation.number());
                }
                return;
            }
        } catch (RuntimeException e) {
            LOG.warn("could not check the re-publish of generation={} error=\"{}\"", generation.number(), e.toString());
        }
        if (System.nanoTime() >= deadline) {
            LOG.warn("projection re-publish not confirmed generation={} within {} s; the next start re-publishes once",
                    generation.number(), REPUBLISH_CONFIRM.toSeconds());
            return;
        }
        CommitBarrier waiting = next;
        try {
            monitor.schedule(() -> endRebuildWhenRepublished(generation, deadline, waiting), 500, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            // the service is stopping: the record stays, the next start re-publishes
        }
    }

    /** How long a switch waits for its re-publish to be committed before it leaves that to the next start. */
    static final Duration REPUBLISH_CONFIRM = Duration.ofMinutes(2);

    /** Tombstones the rebuild record; a failure is logged (a record left behind is cleaned up at the next start). */
    private void endRebuildRecord() {
        try {
            control.rebuildEnded();
        } catch (RuntimeException e) {
            LOG.warn("could not end the rebuild record in {} error=\"{}\"", GenerationControl.TOPIC_NAME, e.getMessage());
        }
    }

    /**
     * Ends a rebuild whose switch may or may not be recorded: stops the new generation but keeps what it built, since a
     * restart may run it.
     */
    private void endUndecided(Rebuild current, String error) {
        current.ticks.cancel(false);
        LOG.error("rebuild failed generation={} reason=\"{}\"", current.generation.number(), error);
        String warning = "generation " + current.generation.number() + " was stopped, not deleted: whether "
                + GenerationControl.TOPIC_NAME + " names it as active is not known. Restart the service: it runs the "
                + "generation the topic names and deletes the other one if that is the unfinished rebuild (if the "
                + "topic names generation " + current.generation.number() + ", generation " + active.number()
                + "'s topics, consumer group and state directory are left to delete by hand)";
        current.phase = new RebuildPhase.Failed(error, warning);
        try {
            current.generation.streams().stopAndLeaveGroup();
        } catch (RuntimeException e) {
            LOG.warn("could not stop generation={} error=\"{}\"", current.generation.number(), e.getMessage());
        }
        status = status(current);
    }

    private void cleanUpAbandoned(long generation) {
        // first, whatever the clean-up does: the service may have stopped during a handover, with the active
        // generation's publishing closed, so what it processed then was published by nobody. It re-publishes its
        // accounts once (same versions)
        republishWhenRunning(active, System.nanoTime() + REPUBLISH_WAIT.toNanos(), "an abandoned rebuild");
        cleanUpAbandoned(generation, 1);
    }

    /**
     * Deletes what the abandoned rebuild of {@code generation} left. Its group may still have a member for a while: a
     * static member of this instance that crashed keeps its place until its session times out, so a group with
     * members is looked at again, {@link #ABANDONED_RETRIES} times {@link #abandonedRetryAfter} apart, as long as the
     * control topic still records that rebuild.
     */
    private void cleanUpAbandoned(long generation, int attempt) {
        String applicationId = ProjectionGeneration.applicationId(base, generation);
        try {
            if (attempt > 1) {
                GenerationControl.State persisted = control.read();
                if (!persisted.rebuildAbandoned() || persisted.rebuilding() != generation) {
                    // ended meanwhile (a new rebuild cleaned it up first)
                    return;
                }
            }
            LOG.warn("rebuild abandoned generation={} applicationId={} (the service stopped during it); deleting its "
                    + "group, internal topics and state; start it again with POST /admin/rebuild", generation, applicationId);
            if (!cleanup.abandoned(applicationId, ProjectionGeneration.stateDir(stateDir, generation))) {
                if (attempt <= ABANDONED_RETRIES) {
                    Duration retryAfter = abandonedRetryAfter();
                    LOG.warn("rebuild of generation={} applicationId={} still has group members (another instance, or "
                            + "this one's until its session times out); looking again in {} s", generation,
                            applicationId, retryAfter.toSeconds());
                    monitor.schedule(() -> cleanUpAbandoned(generation, attempt + 1),
                            retryAfter.toMillis(), TimeUnit.MILLISECONDS);
                } else {
                    LOG.warn("rebuild of generation={} applicationId={} is still running on another instance; not "
                            + "cleaned up", generation, applicationId);
                }
                return;
            }
            // not ended yet: the record now names the active generation, as an unended switch does, so a stop before
            // the active generation's re-publish is committed re-publishes at the next start
            control.republishPending(active.number());
            endRebuildWhenRepublished(active, System.nanoTime() + REPUBLISH_WAIT.toNanos() + REPUBLISH_CONFIRM.toNanos(),
                    null);
        } catch (Exception e) {
            LOG.warn("abandoned rebuild not cleaned up generation={} error=\"{}\"", generation, e.toString());
        }
    }

    /** How often a start looks again at an abandoned rebuild whose group still has members. */
    static final int ABANDONED_RETRIES = 3;

    /**
     * How long to wait before looking again: the stream threads' session timeout (a crashed static member of this
     * instance is gone by then) and 4 s more, at least 10 s; Kafka's default 45 s when none is configured.
     */
    private Duration abandonedRetryAfter() {
        // get, not getProperty: the value may be an Integer (StaticMembership puts one), which getProperty ignores
        Object configured = streamsProperties.get(StreamsConfig.mainConsumerPrefix(
                org.apache.kafka.clients.consumer.ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG));
        if (configured == null) {
            configured = streamsProperties.get(org.apache.kafka.clients.consumer.ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG);
        }
        long sessionMs = 45_000;
        if (configured != null) {
            try {
                sessionMs = Long.parseLong(configured.toString().trim());
            } catch (NumberFormatException e) {
                // Kafka would refuse it at start; the default is as good a guess
            }
        }
        return Duration.ofMillis(Math.max(10_000, sessionMs + 4_000));
    }

    /**
     * Deletes what generations other than the active one and the recorded rebuild left behind (internal topics,
     * group, registry subjects, state directory): a stop or crash while a switched-away generation was being retired,
     * or a switch whose outcome was unknown and that landed, leaves them. Generation numbers are never reused, so
     * nothing will run them again; one another instance still runs (its group has members) is kept.
     *
     * @param persisted the control topic as read at this start
     */
    private void deleteLeftoverGenerations(GenerationControl.State persisted) {
        try {
            Set<String> topics = admin.topicNames();
            java.util.SortedSet<Long> numbers = new java.util.TreeSet<>(List.of(0L));
            java.util.regex.Pattern generationTopic = java.util.regex.Pattern.compile(
                    java.util.regex.Pattern.quote(base) + "-g(\\d{1,18})-.*");
            topics.forEach(topic -> {
                java.util.regex.Matcher matcher = generationTopic.matcher(topic);
                if (matcher.matches()) {
                    numbers.add(Long.parseLong(matcher.group(1)));
                }
            });
            if (java.nio.file.Files.isDirectory(stateDir)) {
                try (java.util.stream.Stream<Path> dirs = java.nio.file.Files.list(stateDir)) {
                    dirs.map(dir -> dir.getFileName().toString()).filter(name -> name.matches("g\\d{1,18}"))
                            .forEach(name -> numbers.add(Long.parseLong(name.substring(1))));
                }
            }
            for (long number : numbers) {
                if (number == persisted.active()
                        || (persisted.rebuilding() != null && number == persisted.rebuilding())) {
                    continue;
                }
                String applicationId = ProjectionGeneration.applicationId(base, number);
                // generation 0's directory holds the later generations' g<N> directories: only its own app directory
                Path dir = number == 0 ? stateDir.resolve(applicationId) : ProjectionGeneration.stateDir(stateDir, number);
                if (internalTopics(applicationId).stream().noneMatch(topics::contains)
                        && !java.nio.file.Files.exists(dir)) {
                    continue;
                }
                LOG.warn("projection generation left over generation={} applicationId={} activeGeneration={}; "
                        + "deleting its group, internal topics, subjects and state", number, applicationId,
                        persisted.active());
                if (!cleanup.abandoned(applicationId, dir)) {
                    LOG.warn("projection generation left over generation={} applicationId={} still runs on another "
                            + "instance; kept", number, applicationId);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("left-over generations not checked error=\"{}\"", e.toString());
        }
    }

    /**
     * Asks {@code generation} for one re-publish pass once it runs (its tasks take it), checking every 500 ms.
     *
     * @param after what made it needed, for the log line ("an abandoned rebuild")
     */
    private void republishWhenRunning(ProjectionGeneration generation, long deadline, String after) {
        if (generation != active) {
            return;
        }
        if (generation.streams().state() == KafkaStreams.State.RUNNING) {
            generation.publishing().enable(true);
            LOG.info("projection re-publishing after {} generation={}", after, generation.number());
        } else if (System.nanoTime() < deadline) {
            monitor.schedule(() -> republishWhenRunning(generation, deadline, after), 500, TimeUnit.MILLISECONDS);
        } else {
            LOG.warn("projection not re-published after {} generation={}: not running after {} s", after,
                    generation.number(), REPUBLISH_WAIT.toSeconds());
        }
    }

    private ProjectionGeneration startGeneration(long number, Publishing publishing) {
        ProjectionGeneration generation = createGeneration(number, publishing);
        generation.streams().start();
        return generation;
    }

    /** A generation whose Kafka Streams app is made but not started. */
    private ProjectionGeneration createGeneration(long number, Publishing publishing) {
        String applicationId = ProjectionGeneration.applicationId(base, number);
        Path dir = ProjectionGeneration.stateDir(stateDir, number);
        Properties properties = new Properties();
        properties.putAll(streamsProperties);
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        properties.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
        LogProgress progress = new LogProgress();
        // no meter registry: ActiveStreamsMetrics binds the active generation's metrics and re-binds them at a switch
        ManagedStreams streams = new ManagedStreams(topologies.build(progress, publishing), properties, topics,
                partitions, replicationFactor, null);
        return new ProjectionGeneration(number, applicationId, dir, streams, progress, publishing);
    }

    private Set<String> internalTopics(String applicationId) {
        return GenerationAdmin.internalTopics(described, applicationId);
    }

    private <T> T onMonitor(Callable<T> work) {
        try {
            return monitor.submit(work).get(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new Busy("the rebuild monitor is still busy after " + callTimeout.toMillis() + " ms (stopping a "
                    + "generation, or the broker is slow); the request is still queued or running and may take effect: "
                    + "GET /admin/rebuild shows the rebuild's state");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    /** Stops the monitor and every generation; a rebuild still running is abandoned (cleaned up at the next start). */
    @Override
    public void close() {
        monitor.shutdownNow();
        try {
            monitor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Rebuild current = rebuild;
        if (current != null && !current.phase.finished() && current.generation != active) {
            LOG.warn("rebuild abandoned by shutdown generation={}; start it again after the restart", current.generation.number());
            stopBulkLoad(current);
            current.generation.streams().stopAndLeaveGroup();
        }
        ProjectionGeneration old = retiring;
        if (old != null) {
            old.streams().stopAndLeaveGroup();
        }
        if (active != null) {
            // leave the group at once: a restarted instance, or the others, take the partitions over without waiting
            active.streams().stopAndLeaveGroup();
        }
        control.close();
        admin.close();
    }

    /** The status of {@code current} for {@code GET /admin/rebuild}. */
    private RebuildStatus status(Rebuild current) {
        return RebuildStatus.of(current.phase, current.generation, active.number(), current.progress);
    }

    /** One rebuild: its generation, how it switches, its phase and its progress; confined to the monitor thread. */
    private static final class Rebuild {
        final ProjectionGeneration generation;
        final RebuildProgress progress = new RebuildProgress();
        ScheduledFuture<?> ticks;
        RebuildPhase phase = new RebuildPhase.Rebuilding();
        /** Auto-switch, or a switch was requested: switch at the first check at which it is caught up. */
        boolean switchWhenCaughtUp;
        final CatchUp catchUp = new CatchUp(Topics.EVENTS.name());
        /** The bulk load while it runs (its Kafka Streams app starts after it), else null. */
        CompletableFuture<BulkLoad.Result> loading;
        /** The bulk load, for its progress, and its thread, to interrupt. */
        BulkLoad loader;
        Thread loaderThread;
        /** Set to stop the bulk load (a cancel, a failure, a shutdown); read by its thread. */
        final java.util.concurrent.atomic.AtomicBoolean stopLoading = new java.util.concurrent.atomic.AtomicBoolean();

        Rebuild(ProjectionGeneration generation, boolean autoSwitch) {
            this.generation = generation;
            this.switchWhenCaughtUp = autoSwitch;
        }
    }
}
