package dev.eventbank.query;

import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.readmodel.AccountStateView;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.ObjLongConsumer;
import java.util.function.Supplier;

/**
 * Read-your-writes without waiting for the projection: folds the event log's committed events into the latest
 * account states as soon as they are readable, on top of this service's view of {@code bank-account-state}, and
 * keeps the states that are ahead of the view.
 *
 * <p>Why: an event is readable in {@code bank-account-events} about a millisecond after the command's 2xx, while the
 * projection folds it, commits its exactly-once transaction and publishes the state, which this service's view then
 * reads: 13 to 18 ms at the median on an idle stack, seconds under load (docs/read-side-performance.md). This fold is
 * a plain {@code read_committed} consumer with no group, no transaction and no store, running the projection's own
 * {@link AccountStateView#evolve} on the same events from the view's state of the account, so its states are the
 * ones the view shows a moment later. Only committed events are folded (an aborted one is never shown), and the
 * account's owner comes with the state, so the same read rules apply to it as to the view's.
 *
 * <p>It keeps only the states that are ahead of the view: each is dropped when the view stores that version
 * ({@link #caughtUp}), so the map's size follows the projection's lag, capped at {@code maxAccounts} (beyond that,
 * accounts not yet ahead wait for the view). An event it cannot fold (undecodable, a version gap because it started
 * while the view was behind, a view that cannot be read while it restores) is not folded: nothing is guessed and
 * nothing is written anywhere; a state already kept stays until the view has it, so that no read goes back.
 *
 * <p>If the consumer fails (the topic not there yet, no READ on it), the fold starts over from the log's end after a
 * pause that doubles from 1 s to 60 s until a poll works again, with one WARN line per attempt.
 *
 * <p>Every instance reads every partition of the event log from its end (one decode per event, tens of microseconds),
 * as every instance reads all of {@code bank-account-state} for its view.
 */
public final class FreshFold implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FreshFold.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration PAUSE_AFTER_FAILURE = Duration.ofSeconds(1);
    private static final Duration MAX_PAUSE_AFTER_FAILURE = Duration.ofSeconds(60);

    private final String topic;
    private final Supplier<Consumer<String, byte[]>> consumers;
    private final Deserializer<BankAccountEvent> events;
    private final Function<String, AccountState> view;
    private final int maxAccounts;
    private final Map<String, AccountState> ahead = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong foldedEvents = new java.util.concurrent.atomic.AtomicLong();
    private final ObjLongConsumer<String> folded;
    private volatile Consumer<String, byte[]> consumer;
    private volatile boolean closed;
    private volatile boolean reading;
    private Thread thread;

    /**
     * @param consumers   makes the {@code read_committed} consumer (no group: it is assigned every partition)
     * @param events      the event log's value deserializer (the registry's, with the upcasters)
     * @param view        the view's state of an account (null when unknown); may throw while the view cannot be read
     * @param maxAccounts how many accounts may be ahead of the view at once, 1 or more
     * @param onFolded    told of each state folded here, with its version (on this fold's thread: must not block)
     */
    public FreshFold(Supplier<Consumer<String, byte[]>> consumers, Deserializer<BankAccountEvent> events,
                     Function<String, AccountState> view, int maxAccounts, ObjLongConsumer<String> onFolded) {
        this(Topics.EVENTS.name(), consumers, events, view, maxAccounts, onFolded);
    }

    /** As the public constructor, reading {@code topic} instead of the event log (the tests' own topics). */
    FreshFold(String topic, Supplier<Consumer<String, byte[]>> consumers, Deserializer<BankAccountEvent> events,
              Function<String, AccountState> view, int maxAccounts, ObjLongConsumer<String> onFolded) {
        if (maxAccounts < 1) {
            throw new IllegalArgumentException("maxAccounts must be 1 or more, was " + maxAccounts);
        }
        this.topic = topic;
        this.consumers = consumers;
        this.events = events;
        this.view = view;
        this.maxAccounts = maxAccounts;
        this.folded = onFolded;
    }

    /**
     * Starts reading at the end of every partition of {@code bank-account-events} on a thread of its own.
     *
     * @throws IllegalStateException when started before
     */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        thread = new Thread(this::run, "fresh-fold");
        thread.setDaemon(true);
        thread.start();
    }

    /** The account's state when this fold is ahead of the view, else null. */
    public AccountState ahead(String accountId) {
        return ahead.get(accountId);
    }

    /** Whether the fold is reading the event log: every event committed from now on is folded. */
    public boolean reading() {
        return reading;
    }

    /** Events folded ahead of the view since the start (a counter for the metrics). */
    public long foldedEvents() {
        return foldedEvents.get();
    }

    /** How many accounts are ahead of the view right now. */
    public int aheadCount() {
        return ahead.size();
    }

    /** The view has {@code version} of the account: a state of this fold at or below it is not ahead any more. */
    public void caughtUp(String accountId, long version) {
        ahead.computeIfPresent(accountId, (id, state) -> state.getVersion() <= version ? null : state);
    }

    /**
     * Folds one record of the event log (package-private: the unit tests drive it without a broker).
     *
     * <p>A state kept here is never dropped for what the fold cannot do (an undecodable event, an event the evolve
     * rejects, a gap after a restart from the log's end): it is a state the account reached, folded from a prefix of
     * the log the projection folds in the same order, so the view reaches it too, and dropping it before would let a
     * later read show the view's older state after this newer one (a read going back). It goes when the view has
     * its version ({@link #caughtUp}).
     *
     * @param value the record's value in the wire format, or null (a tombstone, ignored)
     */
    void fold(String accountId, byte[] value) {
        if (accountId == null || value == null) {
            return;
        }
        BankAccountEvent event;
        try {
            event = events.deserialize(Topics.EVENTS.name(), value);
        } catch (RuntimeException undecodable) {
            // the projection dead-letters it; the account's next events follow a gap and are folded only on a view
            // that has them
            return;
        }
        if (event == null || !accountId.equals(event.getAggregateId())) {
            // the projection dead-letters an event keyed by another account's id; folded on this account's state it
            // would give a state the account never reached
            return;
        }
        AccountState kept = ahead.get(accountId);
        AccountStateView.Fold next;
        if (kept == null) {
            AccountState inView;
            try {
                inView = view.apply(accountId);
            } catch (RuntimeException notReadable) {
                return;
            }
            next = AccountStateView.evolve(inView, event);
        } else {
            next = AccountStateView.evolve(kept, event);
            if (next instanceof AccountStateView.Fold.Rejected && event.getVersion() > kept.getVersion() + 1) {
                // a gap after the kept state (an undecodable event, a restart from the log's end): the view may have
                // the versions in between by now
                AccountState inView = viewOrNull(accountId);
                if (inView != null && inView.getVersion() > kept.getVersion()) {
                    next = AccountStateView.evolve(inView, event);
                }
            }
        }
        if (!(next instanceof AccountStateView.Fold.Applied applied)) {
            return;
        }
        AccountState state = applied.state();
        if (kept == null || !ahead.replace(accountId, kept, state)) {
            if (!ahead.containsKey(accountId) && ahead.size() >= maxAccounts) {
                return;
            }
            ahead.put(accountId, state);
            // the view may have stored this version after it was read above, and its caughtUp then found nothing
            // here to drop (or dropped the kept state before the replace): without this look the state would stay
            // in the map, counted against maxAccounts, until the account's next change. A replace that succeeded
            // needs no look: a caughtUp after it sees the new state
            AccountState inView = viewOrNull(accountId);
            if (inView != null && inView.getVersion() >= state.getVersion()) {
                caughtUp(accountId, inView.getVersion());
                return;
            }
        }
        foldedEvents.incrementAndGet();
        folded.accept(accountId, state.getVersion());
    }

    private AccountState viewOrNull(String accountId) {
        try {
            return view.apply(accountId);
        } catch (RuntimeException notReadable) {
            return null;
        }
    }

    private void run() {
        Duration pause = Duration.ZERO;
        while (!closed) {
            try {
                // in short steps, so that close() need not interrupt (an interrupted consumer cannot close cleanly)
                for (long slept = 0; slept < pause.toMillis() && !closed; slept += 50) {
                    Thread.sleep(50);
                }
                if (closed) {
                    return;
                }
                try (Consumer<String, byte[]> tail = consumers.get()) {
                    consumer = tail;
                    if (closed) {
                        return;
                    }
                    List<TopicPartition> partitions = tail.partitionsFor(topic).stream()
                            .map(PartitionInfo::partition).map(p -> new TopicPartition(topic, p)).toList();
                    if (partitions.isEmpty()) {
                        // no such topic (yet: the command service creates it); said so, rather than the poll's
                        // "not subscribed to any topics or assigned any partitions"
                        throw new IllegalStateException("topic " + topic + " not found");
                    }
                    tail.assign(partitions);
                    tail.seekToEnd(partitions);
                    partitions.forEach(tail::position); // the end as of now, not as of the first poll
                    this.reading = true;
                    LOG.info("event=fresh_fold_started partitions={}", partitions.size());
                    while (!closed) {
                        for (ConsumerRecord<String, byte[]> record : tail.poll(POLL)) {
                            fold(record.key(), record.value());
                        }
                        pause = Duration.ZERO; // reading works again: the next fault starts the backoff afresh
                    }
                }
            } catch (WakeupException | InterruptException | InterruptedException stopping) {
                return;
            } catch (RuntimeException failed) {
                // the view keeps answering on its own; start over from the end, as at start-up. The states kept
                // stay: each is one the account reached and the view reaches (fold), so no read goes back.
                // Doubling up to a limit: a lasting fault (a missing ACL, a broker away) logs a line now and then,
                // not every second
                pause = pause.isZero() ? PAUSE_AFTER_FAILURE : min(pause.multipliedBy(2), MAX_PAUSE_AFTER_FAILURE);
                LOG.warn("event=fresh_fold_failed error=\"{}\" retryInMs={}", failed, pause.toMillis());
            } finally {
                consumer = null;
                reading = false;
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Stops the thread and closes the consumer; waits at most a few seconds. */
    @Override
    public void close() {
        closed = true;
        Consumer<String, byte[]> reading = consumer;
        if (reading != null) {
            reading.wakeup();
        }
        Thread running;
        synchronized (this) {
            running = thread;
        }
        if (running != null) {
            try {
                running.join(5_000);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
