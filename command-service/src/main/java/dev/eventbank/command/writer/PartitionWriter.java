package dev.eventbank.command.writer;

import dev.eventbank.command.access.Caller;
import dev.eventbank.command.logging.CommandMdc;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.commands.AccountAggregate;
import dev.eventbank.schemas.commands.AccountNumberAction;
import dev.eventbank.schemas.commands.AccountNumberCommand;
import dev.eventbank.schemas.commands.AccountNumberReservation;
import dev.eventbank.schemas.commands.ReservationStatus;
import dev.eventbank.schemas.commands.BankAccountCommand;
import dev.eventbank.schemas.commands.CommandOutcome;
import dev.eventbank.schemas.commands.CommandResult;
import dev.eventbank.schemas.commands.RecentCommand;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.serde.SchemaRegistryException;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The single writer of one partition of {@code bank-account-events}, run by the instance that owns the
 * partition. On its own thread it
 * <ol>
 *   <li>starts a transactional producer whose {@code transactional.id} belongs to the partition, not to the
 *   instance: its {@code initTransactions} fences the previous owner's producer (any transaction of it still open
 *   is aborted, and nothing it sends afterwards can commit);</li>
 *   <li>restores the partition's {@link PartitionState} ({@link PartitionRestore});</li>
 *   <li>then, in a loop, takes every command that arrived since the last transaction (group commit), decides
 *   them in arrival order against the committed state plus the batch's own earlier decisions
 *   ({@link CommandHandler}), and appends the batch's events and recorded outcomes in one transaction. Each
 *   command's future completes when that transaction's commit returns.</li>
 * </ol>
 * The aggregates changed since they were last written go to {@code bank-account-aggregates} with the first
 * transaction after {@link WriterSettings#aggregatesInterval()} (or alone, when the writer is idle, and before a
 * graceful stop), carrying the event-log offset they cover: most transactions then write to one partition
 * instead of two, which is most of a transaction's cost at the broker (markers, partition bookkeeping). A new
 * owner folds the events after that offset, so a crash costs at most an interval's events more to fold.
 * The same loop decides the account number commands routed to this partition ({@link AccountNumberCommand},
 * {@link AccountNumbers}): the reservations of the numbers that hash here, written to
 * {@code bank-account-number-reservations} in the same transactions, and the checks of accounts of this partition
 * that hold a number pending.
 * A command that writes nothing (a conflict, an unknown account, a rejection of a command without
 * {@code Idempotency-Key}, an earlier outcome answered again) and whose account has no uncommitted change in
 * the batch is answered at once, without waiting for anyone's commit: its answer depends on committed state only.
 *
 * <p>Failures: a fenced producer (a newer owner exists) fails the batch and every queued command with
 * {@link NotOwnerException} and stops the writer for good; the caller forwards to the new owner. Any other
 * failure fails the batch's commands with {@link NotCommittedException} (answered 503, outcome unknown) and aborts
 * the transaction; a commit that timed out (it may still complete) or a producer that is unusable stops the writer
 * with state {@link State#FAILED} and tells its owner ({@code onStopped}), which starts a new one: its
 * {@code initTransactions} waits for that transaction to end, and its restore reads whatever committed.
 *
 * <p>Overload and lateness: the queue holds at most {@link WriterSettings#maxQueued()} commands; one more is refused at
 * once with {@link QueueFullException} (answered 503, nothing queued, nothing appended), so that a burst beyond what
 * the broker absorbs neither grows memory without limit nor makes every queued command wait longer. Each command
 * carries its deadline (its caller's reply timeout); one whose deadline passed before it is decided is skipped:
 * its future fails with {@link NotCommittedException} and nothing of it is appended or recorded, so that a command
 * whose caller was already told "outcome unknown" is not applied long after. A keyed retry of it is decided as any
 * first attempt. A command decided before its deadline is committed even if the commit returns after it.
 *
 * <p>Limits: decisions are not pipelined with the commit in flight (the next batch is decided when the commit
 * returns); deciding takes microseconds, the commit milliseconds.
 *
 * <p>Why its own {@code KafkaProducer} and not a micronaut-kafka {@code @KafkaClient}: the write path is what this
 * project exists for. Its producer's {@code transactional.id} belongs to a partition, not to the instance, and is
 * created when the partition is assigned, closed when it is revoked and replaced when fenced; a {@code @KafkaClient}
 * has one transactional id per client, fixed at compile time or configuration. Its settings still come from
 * {@code kafka.*} and {@code kafka.producers.command-writers.*} ({@link WriterSettings#kafka()}).
 */
public final class PartitionWriter {

    /** Lifecycle of a writer. Only STARTING and READY take commands. */
    public enum State { STARTING, READY, STOPPED, FENCED, FAILED }

    private static final Logger LOG = LoggerFactory.getLogger(PartitionWriter.class);
    private static final Duration EXPIRE_EVERY = Duration.ofMinutes(1);
    private static final Duration SAVE_EVERY = Duration.ofMinutes(5);
    /** Unwritten aggregates that make the next transaction write them whatever the interval (bounds its size). */
    private static final int MAX_UNWRITTEN = 5_000;

    /**
     * {@code command} is a {@link BankAccountCommand} (with its {@code caller}) or an {@link AccountNumberCommand}
     * (caller null: number steps are checked where they arrive).
     */
    private record Submission(Object command, Caller caller, long deadline, CompletableFuture<CommandResult> future) {
    }

    /** The deadline of a command submitted without one (tests, and nothing else). */
    public static final long NO_DEADLINE = Long.MAX_VALUE;
    /** Queue-full and deadline log lines of one writer come at most this often, each with the count since the last. */
    private static final long SKIP_LOG_EVERY_NANOS = Duration.ofSeconds(1).toNanos();

    private record Decided(Submission submission, CommandHandler.Handled handled) {
    }

    private final int partition;
    private final WriterSettings settings;
    private final PartitionState state;
    private final Consumer<PartitionWriter> onStopped;
    private final LinkedBlockingQueue<Submission> queue;
    private final java.util.concurrent.atomic.AtomicLong shedSinceLog = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong lastShedLog = new java.util.concurrent.atomic.AtomicLong(
            System.nanoTime() - SKIP_LOG_EVERY_NANOS);
    private long expiredSinceLog;
    private long lastExpiredLog = System.nanoTime() - SKIP_LOG_EVERY_NANOS;
    private final Thread thread;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private volatile State lifecycle = State.STARTING;
    /** An exception after a commit: the state may lack that commit (confined to the writer's thread until it ends). */
    private volatile boolean stateDoubtful;
    private volatile boolean running = true;
    private KafkaProducer<String, byte[]> producer;
    private KafkaClientMetrics producerMetrics;
    private Instant nextExpiry;
    private Instant nextAggregatesWrite;
    private Instant lastDecision;
    private Instant nextSave;
    private boolean changedSinceSave;

    /**
     * A writer for {@code partition}, not started yet.
     *
     * @param state     the partition's state as this instance last knew it (new, or kept from an earlier ownership)
     * @param onStopped told once when the writer stops by itself (fenced or failed), on the writer's thread
     */
    public PartitionWriter(int partition, WriterSettings settings, PartitionState state, Consumer<PartitionWriter> onStopped) {
        this.partition = partition;
        this.settings = settings;
        this.state = state;
        this.onStopped = onStopped;
        this.queue = new LinkedBlockingQueue<>(settings.maxQueued());
        this.thread = new Thread(this::run, "partition-writer-" + partition);
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    public int partition() {
        return partition;
    }

    public State state() {
        return lifecycle;
    }

    /** Completes when the writer has fenced the previous owner and restored the partition. */
    public CompletableFuture<Void> ready() {
        return ready;
    }

    /**
     * The partition's state once this writer's thread has ended, to give to the next writer of the partition in
     * this instance (it then reads only what was written since); null while the thread still runs, when the state
     * may lack a commit, and when this writer never got ready: its restore may have folded events into the state
     * whose aggregates it then failed to write back, which the state's unwritten set does not list, so a writer
     * going on with it would never write them, and its later aggregates would claim to cover them.
     */
    public PartitionState stoppedState() {
        boolean servedOnce = ready.isDone() && !ready.isCompletedExceptionally();
        return thread.isAlive() || stateDoubtful || !servedOnce ? null : state;
    }

    /** As {@link #submit(Caller, BankAccountCommand, long)} without a deadline. */
    public CompletableFuture<CommandResult> submit(Caller caller, BankAccountCommand command) {
        return submit(caller, command, NO_DEADLINE);
    }

    /**
     * Queues {@code command} (its account must be in this partition), sent by {@code caller}, whose access to the
     * account is decided with the command ({@link CommandHandler}). The future completes with the committed
     * outcome, or fails with {@link NotOwnerException} (this writer stopped, was fenced, or its transaction failed
     * before its commit and it stops for it: nothing of it applied, ask again), {@link QueueFullException} (at once:
     * the queue is full; nothing queued) or {@link NotCommittedException} (the transaction failed while committing,
     * so whether it committed is unknown; or it failed before its commit and this writer goes on, nothing of it
     * applied; or {@code deadline} passed before the command was decided, nothing of it was appended).
     *
     * @param deadline a {@link System#nanoTime()} value: the command is not decided after it ({@link #NO_DEADLINE}
     *                 for none)
     */
    public CompletableFuture<CommandResult> submit(Caller caller, BankAccountCommand command, long deadline) {
        return enqueue(command, java.util.Objects.requireNonNull(caller, "caller"), deadline);
    }

    /** As {@link #submit(AccountNumberCommand, long)} without a deadline. */
    public CompletableFuture<CommandResult> submit(AccountNumberCommand command) {
        return submit(command, NO_DEADLINE);
    }

    /**
     * Queues an account number command: RESERVE, CONFIRM or RELEASE of a number whose key
     * ({@link AccountNumbers#key}) is in this partition, or CHECK_HOLDER of an account of this partition. The future
     * completes as for {@link #submit(Caller, BankAccountCommand, long)}.
     */
    public CompletableFuture<CommandResult> submit(AccountNumberCommand command, long deadline) {
        return enqueue(command, null, deadline);
    }

    private CompletableFuture<CommandResult> enqueue(Object command, Caller caller, long deadline) {
        CompletableFuture<CommandResult> future = new CompletableFuture<>();
        State now = lifecycle;
        if (now != State.STARTING && now != State.READY) {
            future.completeExceptionally(new NotOwnerException(partition, "the writer of partition " + partition + " is " + now));
            return future;
        }
        if (!queue.offer(new Submission(command, caller, deadline, future))) {
            shed();
            future.completeExceptionally(new QueueFullException("the writer of the account's partition has "
                    + settings.maxQueued() + " commands waiting, as many as it queues; this one was not queued and "
                    + "nothing of it was applied: send it again later"));
            return future;
        }
        if (!running) {
            // stopped between the check and the add: nobody will take it
            failQueued(new NotOwnerException(partition, "the writer of partition " + partition + " stopped"));
        }
        return future;
    }

    /** Counts a command refused for a full queue; logs one line a second at most, with the count since the last. */
    private void shed() {
        settings.metrics().skipped(dev.eventbank.command.routing.CommandMetrics.QUEUE_FULL);
        long count = shedSinceLog.incrementAndGet();
        long now = System.nanoTime();
        long last = lastShedLog.get();
        if (now - last >= SKIP_LOG_EVERY_NANOS && lastShedLog.compareAndSet(last, now)) {
            count = shedSinceLog.getAndSet(0);
            LOG.warn("commands refused, queue full partition={} maxQueued={} refusedSinceLastLine={}", partition,
                    settings.maxQueued(), count);
        }
    }

    /**
     * Stops taking commands, lets the transaction in flight finish, fails what is still queued with
     * {@link NotOwnerException} and closes the producer; waits at most {@code timeout} for that.
     */
    public void stop(Duration timeout) {
        requestStop();
        awaitStop(System.nanoTime() + timeout.toNanos());
    }

    /**
     * The first half of {@link #stop}: stops taking commands and tells the thread to finish, without waiting, so
     * that an owner stopping several writers stops them in parallel. A restore in progress ends at its next poll.
     */
    public void requestStop() {
        // no interrupt: an interrupted commitTransaction may still commit, and its callers would be told it did not
        running = false;
    }

    /** The second half of {@link #stop}: waits for the thread to end, at most until {@code deadline} (System.nanoTime()). */
    public void awaitStop(long deadline) {
        try {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("partition writer did not stop in time partition={}", partition);
        }
    }

    private void run() {
        try {
            serve();
        } catch (Throwable fault) {
            // the last resort: an Error (a StackOverflowError, an OutOfMemoryError where the JVM does not exit on
            // it) or a fault outside the steps handled in serve() would end this thread with the writer still
            // STARTING or READY: nobody would answer its queue, its owner would not start another, and the
            // service would still report it ready
            stateDoubtful = true;
            LOG.error("partition writer thread failed partition={} error=\"{}\"", partition, fault.toString(), fault);
            if (lifecycle == State.STARTING || lifecycle == State.READY) {
                finish(State.FAILED, new NotOwnerException(partition, "the writer of partition " + partition + " failed"));
            }
        }
    }

    private void serve() {
        try {
            producer = new KafkaProducer<>(producerConfig(), new StringSerializer(), new ByteArraySerializer());
            producerMetrics = new KafkaClientMetrics(producer);
            producerMetrics.bindTo(settings.metrics().registry());
            long start = System.nanoTime();
            producer.initTransactions();
            long fenced = System.nanoTime();
            PartitionRestore.Restored restored = PartitionRestore.restore(state, settings, () -> !running);
            // folded here, or left unwritten by an earlier writer of this instance whose state this one goes on with
            Set<String> folded = new java.util.HashSet<>(restored.foldedAccounts());
            folded.addAll(state.unwritten);
            writeBack(folded);
            if (restored.importedNumbers() != null) {
                writeImportedNumbers(restored.importedNumbers());
            }
            LOG.info("partition writer ready partition={} transactionalId={} initTransactionsMs={} restoreMs={}",
                    partition, transactionalId(), (fenced - start) / 1_000_000, (System.nanoTime() - fenced) / 1_000_000);
        } catch (RuntimeException e) {
            if (!running) {
                LOG.info("partition writer stopped while starting partition={}", partition);
                finish(State.STOPPED, new NotOwnerException(partition, "the writer of partition " + partition + " stopped"));
            } else if (e instanceof RetriableException && !fencing(e)) {
                // the broker away or slow (an outage, a restart): no fault of ours to trace, and its owner starts
                // another writer after a back-off (PartitionOwnership); a stack trace per partition and attempt
                // flooded the log while the broker was away
                LOG.warn("partition writer could not start, retried after a back-off partition={} error=\"{}\"",
                        partition, e.toString());
                finish(State.FAILED, new NotOwnerException(partition, "the writer of partition " + partition
                        + " could not start: " + e.getMessage()));
            } else if (registryAway(e) && !fencing(e)) {
                // the registry away, slow or rate-limiting while the restore decodes the partition's events: as
                // above, one line per attempt; the restore's write-back may have begun a transaction, aborted here
                // (which also tells whether a newer writer fenced this one)
                LOG.warn("partition writer could not start, retried after a back-off partition={} error=\"{}\"",
                        partition, e.toString());
                finish(fencedAtAbort() ? State.FENCED : State.FAILED, new NotOwnerException(partition,
                        "the writer of partition " + partition + " could not start: " + e.getMessage()));
            } else {
                LOG.error("partition writer failed to start partition={} error=\"{}\"", partition, e.toString(), e);
                finish(fencing(e) || fencedAtAbort() ? State.FENCED : State.FAILED, new NotOwnerException(partition,
                        "the writer of partition " + partition + " could not start: " + e.getMessage()));
            }
            return;
        }
        lifecycle = State.READY;
        ready.complete(null);
        nextExpiry = settings.clock().instant().plus(EXPIRE_EVERY);
        nextSave = settings.clock().instant().plus(SAVE_EVERY);
        nextAggregatesWrite = settings.clock().instant().plus(settings.aggregatesInterval());
        List<Submission> batch = new ArrayList<>();
        State end = State.STOPPED;
        while (running) {
            try {
                Submission first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    State idle = housekeeping(true);
                    if (idle != State.READY) {
                        end = idle;
                        break;
                    }
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, settings.maxBatch() - 1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            State outcome;
            try {
                outcome = process(batch);
            } catch (RuntimeException | Error e) {
                if (e instanceof Error) {
                    // anywhere in process(), after its commit too: the state may lack what was committed
                    stateDoubtful = true;
                }
                // a fault of ours while deciding (the commit's own failures are handled inside): the batch's commands
                // are answered "not committed" (nothing of this batch was committed), and this writer stops, so that
                // its owner starts a new one that restores from Kafka, rather than a dead thread nobody answers for
                LOG.error("partition writer failed while deciding partition={} commands={} error=\"{}\"", partition,
                        batch.size(), e.toString(), e);
                NotCommittedException failure = new NotCommittedException("the writer of partition " + partition
                        + " failed while deciding", e);
                batch.forEach(submission -> submission.future().completeExceptionally(failure));
                outcome = State.FAILED;
            }
            changedSinceSave = true;
            batch.clear();
            // a writer that is never idle still expires outcomes on time
            housekeeping(false);
            if (outcome != State.READY) {
                end = outcome;
                break;
            }
        }
        if (end == State.STOPPED) {
            // a graceful stop: the next owner then folds no events the aggregates topic does not cover
            writeUnwrittenAggregates();
        }
        finish(end, new NotOwnerException(partition, "the writer of partition " + partition + " is " + end));
    }

    /** Decides and commits one batch; answers READY to go on, FENCED or FAILED to stop. */
    private State process(List<Submission> batch) {
        // never earlier than the last batch's time, even if the clock steps back: events' occurredAt never decreases
        Instant now = settings.clock().instant();
        if (lastDecision != null && now.isBefore(lastDecision)) {
            now = lastDecision;
        }
        lastDecision = now;
        Map<String, AccountAggregate> changed = new HashMap<>();
        Map<String, RecentCommand> recorded = new HashMap<>();
        // a null value is a released number
        Map<String, AccountNumberReservation> reserved = new HashMap<>();
        List<Decided> waiting = new ArrayList<>();
        long decidingAt = System.nanoTime();
        for (Submission submission : batch) {
            // compared by difference, as System.nanoTime() may wrap; NO_DEADLINE is none, whatever nanoTime's value
            if (submission.deadline() != NO_DEADLINE && submission.deadline() - decidingAt < 0) {
                // its caller has been answered "outcome unknown" (or soon is): deciding it now would apply a command
                // its client may already have sent again without a key; skipped before deciding, so nothing of it is
                // appended or recorded, and a keyed retry is decided afresh
                expired(submission);
                continue;
            }
            if (submission.command() instanceof AccountNumberCommand numberCommand) {
                decideNumber(numberCommand, submission, now, changed, recorded, reserved, waiting);
                continue;
            }
            BankAccountCommand command = (BankAccountCommand) submission.command();
            String accountId = command.getAccountId();
            AccountAggregate aggregate = changed.containsKey(accountId) ? changed.get(accountId) : state.aggregates.get(accountId);
            RecentCommand seen = recorded.containsKey(command.getCommandId()) ? recorded.get(command.getCommandId())
                    : state.outcomes.get(command.getCommandId());
            CommandHandler.Handled handled = CommandHandler.handle(submission.caller(), command, aggregate, seen, now,
                    settings.idempotencyWindow());
            if (handled.refused()) {
                try (CommandMdc mdc = CommandMdc.of(command)) {
                    LOG.info("command refused: the caller may not use this account, answered as not found "
                            + "accountId={} caller=\"{}\" commandId={}", accountId, submission.caller(), command.getCommandId());
                }
            }
            // an account changed earlier in this batch has uncommitted state: its answer waits for the commit
            boolean dependsOnBatch = changed.containsKey(accountId) || recorded.containsKey(command.getCommandId());
            if (handled.writesNothing() && !dependsOnBatch) {
                answer(command, handled, submission.future());
                continue;
            }
            if (handled.aggregate() != null) {
                changed.put(accountId, handled.aggregate());
            }
            if (handled.outcome() != null) {
                recorded.put(command.getCommandId(), handled.outcome());
            }
            waiting.add(new Decided(submission, handled));
        }
        if (waiting.isEmpty()) {
            return State.READY;
        }
        boolean withAggregates = aggregatesDue(now, changed.size());
        boolean committed = false;
        try {
            long begin = System.nanoTime();
            commit(waiting, changed, recorded, reserved, withAggregates);
            committed = true;
            settings.metrics().transaction(System.nanoTime() - begin, waiting.size());
            state.aggregates.putAll(changed);
            state.outcomes.putAll(recorded);
            if (withAggregates) {
                aggregatesWritten(now);
            } else {
                state.unwritten.addAll(changed.keySet());
            }
            reserved.forEach((key, reservation) -> {
                if (reservation == null) {
                    state.reservations.remove(key);
                } else {
                    state.reservations.put(key, reservation);
                }
            });
            // every reply first, then the log lines: a batch's last client does not wait for the others' lines
            for (Decided decided : waiting) {
                if (!decided.handled().replayed() && decided.submission().command() instanceof BankAccountCommand) {
                    settings.metrics().committed(decided.handled().result());
                }
                decided.submission().future().complete(decided.handled().result());
            }
            for (Decided decided : waiting) {
                if (decided.submission().command() instanceof AccountNumberCommand numberCommand) {
                    logAnswer(numberCommand, decided.handled().result());
                } else {
                    logAnswer((BankAccountCommand) decided.submission().command(), decided.handled());
                }
            }
            return State.READY;
        } catch (RuntimeException thrown) {
            if (committed) {
                // after the commit (bookkeeping, answers): committed, so never "ask again"; the answers not given
                // yet are "outcome unknown", and a new writer restores the state from what was committed
                LOG.error("writer failed after a commit partition={} commands={} error=\"{}\"", partition,
                        waiting.size(), thrown.toString(), thrown);
                // its in-memory state may lack what was just committed: neither saved nor handed on
                stateDoubtful = true;
                NotCommittedException unknown = new NotCommittedException("the writer of partition " + partition
                        + " failed after committing; the command may have been applied", thrown);
                waiting.forEach(decided -> decided.submission().future().completeExceptionally(unknown));
                return State.FAILED;
            }
            // fenced before the commit was asked for: the transaction cannot commit (the new owner's
            // initTransactions aborts it), so the commands were not decided and go to the new owner. Fenced while
            // committing: the broker may have committed it before fencing this producer (a lost reply, then a
            // retried EndTxn), so the outcome is unknown, and a command decided again by the new owner could be
            // applied twice: 503, and only a command with an Idempotency-Key is retried by its router
            boolean atCommit = thrown instanceof CommitFailed;
            RuntimeException e = atCommit ? (RuntimeException) thrown.getCause() : thrown;
            State next = afterFailedTransaction(e);
            // failed before the commit was asked for: nothing of it can commit (an open transaction is aborted by
            // this producer or by the next initTransactions of its id). When this writer stops for it (fenced, or
            // its producer unusable), the commands are asked again, of the new owner or of this partition's next
            // writer: a broker answered a transaction's produce with InvalidTxnStateException (fatal for the
            // producer) now and then on the test machines, and those commands had been a 503. When it aborted and
            // goes on, they are a 503 (nothing applied): asked again here, a failure that repeats would run a
            // transaction for each retry until the reply timeout, and take the other commands of its batches along
            RuntimeException failure = atCommit
                    ? new NotCommittedException("the transaction of partition " + partition + " failed while "
                            + "committing, so it may or may not have committed", e)
                    : next == State.READY
                    ? new NotCommittedException("the transaction of partition " + partition + " failed before its "
                            + "commit; nothing of it was applied", e, true)
                    : new NotOwnerException(partition, next == State.FENCED
                            ? "the writer of partition " + partition + " was fenced by a newer owner"
                            : "the transaction of partition " + partition + " failed before its commit");
            LOG.warn("transaction failed partition={} commands={} fenced={} atCommit={} writer={} error=\"{}\"",
                    partition, waiting.size(), next == State.FENCED, atCommit, next, e.toString());
            for (Decided decided : waiting) {
                decided.submission().future().completeExceptionally(failure);
            }
            return next;
        }
    }

    /** The writer's state after a failed transaction: aborted and READY, or stopping (FENCED, FAILED). */
    private State afterFailedTransaction(RuntimeException e) {
        if (fencing(e)) {
            return State.FENCED;
        }
        if (e instanceof org.apache.kafka.common.errors.TimeoutException) {
            // the commit may still complete at the broker, and KafkaProducer allows no abort now: this state
            // may be behind what is committed, so this writer stops and a new one restores from Kafka
            return State.FAILED;
        }
        try {
            producer.abortTransaction();
            return State.READY;
        } catch (RuntimeException abortFailed) {
            if (fencing(abortFailed)) {
                // a newer owner took the partition: what fencing is for, not a fault of this instance
                LOG.warn("transaction abort found this writer fenced partition={} error=\"{}\"", partition,
                        abortFailed.toString());
                return State.FENCED;
            }
            LOG.error("transaction abort failed partition={} error=\"{}\"", partition, abortFailed.toString());
            return State.FAILED;
        }
    }

    /**
     * True when {@code failure} is the schema registry's being away: not reached, a 5xx, or a 429. Wrong credentials
     * (401, 403) are a configuration fault, logged with their trace like any other.
     */
    private static boolean registryAway(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SchemaRegistryException registryError) {
                int status = registryError.httpStatus();
                return status == -1 || status == 429 || status >= 500;
            }
        }
        return false;
    }

    /**
     * Whether aborting the open transaction (if any) meets a newer owner: a write-back at the start refused for a
     * stale epoch (InvalidProducerEpochException, abortable, not itself a fence) shows a fence only at the abort, and
     * a writer taken for FAILED instead of FENCED is started again after a second, fencing the rightful owner.
     */
    private boolean fencedAtAbort() {
        if (producer == null) {
            return false;
        }
        try {
            producer.abortTransaction();
            return false;
        } catch (RuntimeException abortFailed) {
            return fencing(abortFailed);
        }
    }

    /** Answers a command whose deadline passed before it was decided; logs one line a second at most. */
    private void expired(Submission submission) {
        settings.metrics().skipped(dev.eventbank.command.routing.CommandMetrics.DEADLINE_PASSED);
        submission.future().completeExceptionally(new NotCommittedException("its reply timeout passed before the "
                + "writer of partition " + partition + " took it: not decided, nothing of it appended", null, true));
        expiredSinceLog++;
        long now = System.nanoTime();
        if (now - lastExpiredLog >= SKIP_LOG_EVERY_NANOS) {
            LOG.warn("commands skipped, reply timeout passed before deciding partition={} skippedSinceLastLine={}",
                    partition, expiredSinceLog);
            expiredSinceLog = 0;
            lastExpiredLog = now;
        }
    }

    /** {@code commitTransaction} failed: whether the transaction committed is not known. */
    private static final class CommitFailed extends RuntimeException {
        CommitFailed(RuntimeException cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    /** Whether this transaction also writes the unwritten aggregates (and the {@code changing} ones it changes). */
    private boolean aggregatesDue(Instant now, int changing) {
        return settings.aggregatesInterval().isZero() || !now.isBefore(nextAggregatesWrite)
                || state.unwritten.size() + changing >= MAX_UNWRITTEN;
    }

    private void aggregatesWritten(Instant now) {
        state.unwritten.clear();
        nextAggregatesWrite = now.plus(settings.aggregatesInterval());
    }

    /**
     * Writes the unwritten aggregates in a transaction of their own (the writer is idle, or stopping). Answers
     * READY, or FENCED / FAILED when the producer can no longer be used; on any failure they stay unwritten.
     */
    private State writeUnwrittenAggregates() {
        if (state.unwritten.isEmpty()) {
            return State.READY;
        }
        try {
            producer.beginTransaction();
            Future<RecordMetadata> last = sendUnwritten(Map.of());
            producer.commitTransaction();
            state.aggregatesPosition = nextOffset(last, state.aggregatesPosition);
            aggregatesWritten(settings.clock().instant());
            return State.READY;
        } catch (RuntimeException e) {
            LOG.warn("aggregates write failed partition={} accounts={} error=\"{}\"", partition, state.unwritten.size(), e.toString());
            return afterFailedTransaction(e);
        }
    }

    /**
     * Sends every unwritten aggregate and every one in {@code changed} (which wins: it holds this transaction's
     * decisions) with the events checkpoint they cover; answers the last send, null if none.
     */
    private Future<RecordMetadata> sendUnwritten(Map<String, AccountAggregate> changed) {
        // the aggregates say which events earlier transactions covered: this one's are covered by its own records
        byte[] checkpoint = Long.toString(state.eventsCheckpoint).getBytes(StandardCharsets.US_ASCII);
        Future<RecordMetadata> last = null;
        for (String accountId : state.unwritten) {
            AccountAggregate aggregate = changed.containsKey(accountId) ? changed.get(accountId) : state.aggregates.get(accountId);
            if (aggregate != null) {
                last = sendAggregate(accountId, aggregate, checkpoint);
            }
        }
        for (Map.Entry<String, AccountAggregate> entry : changed.entrySet()) {
            if (!state.unwritten.contains(entry.getKey())) {
                last = sendAggregate(entry.getKey(), entry.getValue(), checkpoint);
            }
        }
        return last;
    }

    /**
     * Decides one account number command into the batch: answered at once when it writes nothing and depends on
     * nothing uncommitted of the batch, else queued for the commit with what it writes.
     */
    private void decideNumber(AccountNumberCommand command, Submission submission, Instant now,
                              Map<String, AccountAggregate> changed, Map<String, RecentCommand> recorded,
                              Map<String, AccountNumberReservation> reserved, List<Decided> waiting) {
        AccountNumbers.Decided decided;
        boolean dependsOnBatch;
        if (command.getAction() == AccountNumberAction.CHECK_HOLDER) {
            String accountId = command.getAccountId();
            String openId = command.getOpenCommandId();
            AccountAggregate aggregate = changed.containsKey(accountId) ? changed.get(accountId) : state.aggregates.get(accountId);
            RecentCommand seen = recorded.containsKey(openId) ? recorded.get(openId) : state.outcomes.get(openId);
            decided = AccountNumbers.checkHolder(command, aggregate, seen, now, settings.idempotencyWindow());
            dependsOnBatch = changed.containsKey(accountId) || recorded.containsKey(openId);
            if (decided.fence() != null) {
                recorded.put(openId, decided.fence());
            }
        } else {
            String key = AccountNumbers.key(command.getAccountNumber());
            AccountNumberReservation current = reserved.containsKey(key) ? reserved.get(key) : state.reservations.get(key);
            decided = AccountNumbers.decide(command, current, now, settings.reservationLease());
            dependsOnBatch = reserved.containsKey(key);
            if (decided.writes()) {
                reserved.put(key, decided.reservation());
            }
        }
        if (!decided.writes() && decided.fence() == null && !dependsOnBatch) {
            answer(command, decided.result(), submission.future());
            return;
        }
        waiting.add(new Decided(submission, new CommandHandler.Handled(decided.result(), List.of(), null, null, false)));
    }

    /**
     * Writes the account number reservations the restore imported from the aggregates of existing accounts, and
     * the {@link Topics#NUMBERS_IMPORTED_KEY} marker after them, in transactions of at most 5,000, so that no
     * later restore imports again.
     */
    private void writeImportedNumbers(Map<String, AccountNumberReservation> imported) {
        long start = System.nanoTime();
        List<Map.Entry<String, AccountNumberReservation>> entries = new ArrayList<>(imported.entrySet());
        AccountNumberReservation marker = AccountNumberReservation.newBuilder()
                .setAccountNumber(Topics.NUMBERS_IMPORTED_KEY)
                .setAccountId("")
                .setStatus(ReservationStatus.CONFIRMED)
                .setCommandId(null)
                .setFingerprint(null)
                .setReservedAt(settings.clock().instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS))
                .build();
        entries.add(Map.entry(Topics.NUMBERS_IMPORTED_KEY, marker));
        for (int from = 0; from < entries.size(); from += 5_000) {
            producer.beginTransaction();
            Future<RecordMetadata> last = null;
            for (Map.Entry<String, AccountNumberReservation> entry : entries.subList(from, Math.min(entries.size(), from + 5_000))) {
                last = sendReservation(entry.getKey(), entry.getValue());
            }
            producer.commitTransaction();
            state.reservationsPosition = nextOffset(last, state.reservationsPosition);
        }
        state.reservations.put(Topics.NUMBERS_IMPORTED_KEY, marker);
        LOG.info("account numbers written partition={} imported={} ms={}", partition, imported.size(),
                (System.nanoTime() - start) / 1_000_000);
    }

    private Future<RecordMetadata> sendReservation(String key, AccountNumberReservation reservation) {
        String topic = Topics.NUMBER_RESERVATIONS.name();
        return producer.send(new ProducerRecord<>(topic, partition, key,
                reservation == null ? null : settings.reservations().serializer().serialize(topic, reservation)));
    }

    /**
     * Writes the aggregates that the restore folded from events the aggregates topic did not cover (a log written
     * before that topic existed) to it, in transactions of at most 5,000, so the next restore reads them instead
     * of folding the same events again.
     */
    private void writeBack(Set<String> accounts) {
        if (accounts.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        byte[] checkpoint = Long.toString(state.eventsCheckpoint).getBytes(StandardCharsets.US_ASCII);
        List<String> ids = new ArrayList<>(accounts);
        for (int from = 0; from < ids.size(); from += 5_000) {
            producer.beginTransaction();
            Future<RecordMetadata> last = null;
            // only the last transaction says what the topic covers: until it commits, the topic does not
            byte[] covers = from + 5_000 >= ids.size() ? checkpoint : null;
            for (String id : ids.subList(from, Math.min(ids.size(), from + 5_000))) {
                AccountAggregate aggregate = state.aggregates.get(id);
                if (aggregate != null) {
                    last = sendAggregate(id, aggregate, covers);
                }
            }
            producer.commitTransaction();
            state.aggregatesPosition = nextOffset(last, state.aggregatesPosition);
        }
        state.unwritten.clear();
        LOG.info("aggregates written back partition={} accounts={} ms={}", partition, ids.size(),
                (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * One transaction with the batch's records. Once it committed, the state's positions in the event log and in
     * the aggregates and outcomes topics move past its own records (everything before them is in the state
     * already: this writer is the partition's only writer since its restore), so a later restore does not read
     * them again.
     */
    private void commit(List<Decided> waiting, Map<String, AccountAggregate> changed, Map<String, RecentCommand> recorded,
                        Map<String, AccountNumberReservation> reserved, boolean withAggregates) {
        producer.beginTransaction();
        Future<RecordMetadata> lastEvent = null;
        for (Decided decided : waiting) {
            for (BankAccountEvent event : decided.handled().events()) {
                lastEvent = producer.send(new ProducerRecord<>(Topics.EVENTS.name(), partition, event.getOccurredAt().toEpochMilli(),
                        event.getAggregateId(), settings.events().serializer().serialize(Topics.EVENTS.name(), event)));
            }
        }
        Future<RecordMetadata> lastAggregate = withAggregates ? sendUnwritten(changed) : null;
        Future<RecordMetadata> lastOutcome = null;
        for (Map.Entry<String, RecentCommand> entry : recorded.entrySet()) {
            lastOutcome = producer.send(new ProducerRecord<>(Topics.COMMAND_OUTCOMES.name(), partition, entry.getKey(),
                    settings.outcomes().serializer().serialize(Topics.COMMAND_OUTCOMES.name(), entry.getValue())));
        }
        Future<RecordMetadata> lastReservation = null;
        for (Map.Entry<String, AccountNumberReservation> entry : reserved.entrySet()) {
            lastReservation = sendReservation(entry.getKey(), entry.getValue());
        }
        try {
            producer.commitTransaction();
        } catch (RuntimeException e) {
            // a record the broker refused (e.g. fenced) means the commit was never asked for: not committed. Else
            // the failure came with or after the commit request, and whether it committed is not known
            if (refused(lastEvent) || refused(lastAggregate) || refused(lastOutcome) || refused(lastReservation)) {
                throw e;
            }
            throw new CommitFailed(e);
        }
        state.aggregatesPosition = nextOffset(lastAggregate, state.aggregatesPosition);
        state.outcomesPosition = nextOffset(lastOutcome, state.outcomesPosition);
        state.reservationsPosition = nextOffset(lastReservation, state.reservationsPosition);
        state.eventsCheckpoint = nextOffset(lastEvent, state.eventsCheckpoint);
    }

    /**
     * Whether {@code sent} (one partition's last record of a transaction) failed: refused by the broker, or aborted
     * with the transaction by a producer in its error state. Waits for its answer, at most {@link #REFUSAL_WAIT} (a
     * producer in its error state throws at the commit without flushing); unknown by then counts as not refused.
     */
    private static boolean refused(Future<RecordMetadata> sent) {
        if (sent == null) {
            return false;
        }
        try {
            sent.get(REFUSAL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            return false;
        } catch (ExecutionException e) {
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** How long a failed commit waits for a record's answer to tell "refused" from "unknown". */
    private static final Duration REFUSAL_WAIT = Duration.ofSeconds(5);

    /**
     * The offset after {@code sent}, or {@code otherwise} when nothing was sent. Never throws: the record is
     * committed (the commit flushed it) and a position left behind only means reading a little more on a restore.
     */
    private static long nextOffset(Future<RecordMetadata> sent, long otherwise) {
        if (sent == null || !sent.isDone()) {
            return otherwise;
        }
        try {
            return sent.get().offset() + 1;
        } catch (InterruptedException | ExecutionException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return otherwise;
        }
    }

    /**
     * Sends {@code aggregate} to the aggregates topic with the events checkpoint it covers (ASCII decimal offset),
     * or with none when {@code checkpoint} is null.
     */
    private Future<RecordMetadata> sendAggregate(String accountId, AccountAggregate aggregate, byte[] checkpoint) {
        RecordHeaders headers = new RecordHeaders();
        if (checkpoint != null) {
            headers.add(Topics.EVENTS_CHECKPOINT_HEADER, checkpoint);
        }
        return producer.send(new ProducerRecord<>(Topics.AGGREGATES.name(), partition, null, accountId,
                settings.aggregates().serializer().serialize(Topics.AGGREGATES.name(), aggregate), headers));
    }

    private void answer(AccountNumberCommand command, CommandResult result, CompletableFuture<CommandResult> future) {
        // the reply before its log line: formatting and writing the line are not the client's wait
        future.complete(result);
        logAnswer(command, result);
    }

    private static void logAnswer(AccountNumberCommand command, CommandResult result) {
        LOG.info("account number {} accountNumber=\"{}\" accountId={} commandId={} correlationId={} outcome={} code={}",
                command.getAction().name().toLowerCase(java.util.Locale.ROOT), command.getAccountNumber(),
                command.getAccountId(), command.getCommandId(), command.getCorrelationId(), result.getOutcome(),
                result.getRejectionCode());
    }

    private void answer(BankAccountCommand command, CommandHandler.Handled handled, CompletableFuture<CommandResult> future) {
        future.complete(handled.result());
        logAnswer(command, handled);
    }

    private static void logAnswer(BankAccountCommand command, CommandHandler.Handled handled) {
        try (CommandMdc mdc = CommandMdc.of(command)) {
            CommandResult result = handled.result();
            if (handled.replayed()) {
                LOG.info("command replayed accountId={} commandId={} outcome={}", command.getAccountId(),
                        command.getCommandId(), result.getOutcome());
            } else if (result.getOutcome() == CommandOutcome.ACCEPTED) {
                LOG.info("command accepted accountId={} commandId={} version={} events={}", command.getAccountId(),
                        command.getCommandId(), result.getVersion(), result.getEventCount());
            } else if (result.getRejectionCode() == null) {
                // a conflict (If-Match) or a reused key has no rejection code: its version says what was found
                LOG.info("command {} accountId={} commandId={} version={}", result.getOutcome().name().toLowerCase(java.util.Locale.ROOT),
                        command.getAccountId(), command.getCommandId(), result.getVersion());
            } else {
                LOG.info("command {} accountId={} commandId={} code={}", result.getOutcome().name().toLowerCase(java.util.Locale.ROOT),
                        command.getAccountId(), command.getCommandId(), result.getRejectionCode());
            }
        }
    }

    /**
     * Expires recorded outcomes every minute, idle or not; saves the local checkpoint file when due and idle (the
     * save takes a few milliseconds per 10,000 accounts), or when overdue by a whole period even if busy.
     */
    private State housekeeping(boolean idle) {
        Instant now = settings.clock().instant();
        if (idle && !state.unwritten.isEmpty() && !now.isBefore(nextAggregatesWrite)) {
            State written = writeUnwrittenAggregates();
            if (written != State.READY) {
                return written;
            }
        }
        boolean saveDue = idle ? now.isAfter(nextSave) : now.isAfter(nextSave.plus(SAVE_EVERY));
        // the file holds no unwritten aggregates: a state loaded from it must not claim more than the topic has
        // never a state that may lack a commit (a failure after one sets stateDoubtful just before this runs)
        if (changedSinceSave && !stateDoubtful && settings.stateDir() != null && saveDue && state.unwritten.isEmpty()) {
            nextSave = now.plus(SAVE_EVERY);
            changedSinceSave = false;
            PartitionSnapshotFile.save(snapshotFile(), state, settings.topicIds());
        }
        if (now.isAfter(nextExpiry)) {
            nextExpiry = now.plus(EXPIRE_EVERY);
            int expired = state.expireOutcomes(now, settings.idempotencyWindow());
            if (expired > 0) {
                LOG.info("outcomes expired partition={} count={} kept={}", partition, expired, state.outcomes.size());
            }
        }
        return State.READY;
    }

    private Path snapshotFile() {
        return PartitionSnapshotFile.path(settings.stateDir(), settings.transactionalIdPrefix(), partition);
    }

    private void finish(State end, RuntimeException queuedFailure) {
        running = false;
        boolean restored = lifecycle == State.READY;
        lifecycle = end;
        ready.completeExceptionally(queuedFailure);
        failQueued(queuedFailure);
        if (producerMetrics != null) {
            producerMetrics.close();
        }
        if (producer != null) {
            try {
                producer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.warn("producer close failed partition={} error=\"{}\"", partition, e.toString());
            }
        }
        if (restored && !stateDoubtful && settings.stateDir() != null && state.unwritten.isEmpty()) {
            // committed state only (a failed transaction changed nothing), so the file can only be behind Kafka
            PartitionSnapshotFile.save(snapshotFile(), state, settings.topicIds());
        }
        LOG.info("partition writer stopped partition={} state={}", partition, end);
        if (end == State.FENCED || end == State.FAILED) {
            onStopped.accept(this);
        }
    }

    private void failQueued(RuntimeException failure) {
        List<Submission> left = new ArrayList<>();
        queue.drainTo(left);
        for (Submission submission : left) {
            submission.future().completeExceptionally(failure);
        }
    }

    /**
     * Whether {@code e} says a newer producer of this transactional id exists. Not {@link InvalidProducerEpochException}:
     * Kafka makes it abortable (KIP-588; the coordinator aborted a transaction that outlived its timeout, say), and
     * the abort that follows it meets {@link ProducerFencedException} if a newer owner is the cause. Taken for
     * fencing, it stopped the writer for two session timeouts, its partition answering 503 meanwhile.
     */
    private static boolean fencing(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProducerFencedException) {
                return true;
            }
        }
        return false;
    }

    private String transactionalId() {
        return settings.transactionalIdPrefix() + "-" + partition;
    }

    /**
     * The writer's producer: its own settings, which {@code kafka.producers.command-writers.*} may tune, then what
     * fencing and exactly-once rest on, which no configuration changes.
     */
    private Map<String, Object> producerConfig() {
        Map<String, Object> tunable = new HashMap<>();
        // a batch is sent when it is committed anyway: lingering would only delay the commit
        tunable.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        // the event log is zstd (Topics.EVENTS): compressing here spares the broker a recompression
        tunable.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        // the client retries a transactional request that met CONCURRENT_TRANSACTIONS after this (default 100 ms)
        tunable.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 5);
        // an owner that dies mid-transaction holds back read_committed readers of the partition at most this long
        // (a new owner's initTransactions aborts it at once)
        tunable.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
        tunable.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        tunable.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        tunable.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        Map<String, Object> config = settings.kafka().producer(WriterSettings.PRODUCER, tunable);
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId());
        config.put(ProducerConfig.CLIENT_ID_CONFIG, transactionalId());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return config;
    }
}
