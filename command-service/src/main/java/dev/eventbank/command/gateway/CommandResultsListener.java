package dev.eventbank.command.gateway;

import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.commands.CommandResult;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Reads every committed {@link CommandResult} and hands it to whoever waits for that command id in this
 * instance. One {@code read_committed} consumer per instance, assigned ALL partitions of
 * {@code bank-account-command-results} (no consumer group): the command processor that owns an account may run
 * in any instance, and its results reach every instance this way, so a REST call is answered wherever it
 * lands, with no forwarding between instances. It starts at the end of each partition, positioned before the
 * service takes requests, so every result of a command sent afterwards is seen.
 *
 * <p>Because the consumer reads committed records only, a result is seen only once the transaction holding
 * it, its events and its store update has committed: a 2xx always means the events are in the log.
 *
 * <p>Limits: each instance reads all results, so this fan-out grows with instances x command rate; results are
 * small and the topic is short-lived, which makes this the simpler trade at this scale. A waiter registered for
 * a command id and fingerprint is completed by the first matching result only.
 */
public final class CommandResultsListener implements AutoCloseable {

    static final String FINGERPRINT_HEADER = "fingerprint";
    /** Set by the command processor on the answer to a command it had already decided (nothing appended). */
    static final String REPLAYED_HEADER = "replayed";
    private static final Logger LOG = LoggerFactory.getLogger(CommandResultsListener.class);

    private final KafkaConsumer<String, CommandResult> consumer;
    private final RecentResults recent;
    private final CommandMetrics metrics;
    private final Map<String, List<Waiter>> waiters = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean positioned;

    /** Assigns all partitions and seeks to their end before returning; then reads on its own thread. */
    public CommandResultsListener(String bootstrapServers, int fetchMaxWaitMs, Deserializer<CommandResult> deserializer, RecentResults recent) {
        this(bootstrapServers, fetchMaxWaitMs, deserializer, recent, CommandMetrics.none());
    }

    /** As above; counts the events of the committed results of commands sent from this instance in {@code metrics}. */
    public CommandResultsListener(String bootstrapServers, int fetchMaxWaitMs, Deserializer<CommandResult> deserializer,
                                  RecentResults recent, CommandMetrics metrics) {
        this.recent = recent;
        this.metrics = metrics;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.CLIENT_ID_CONFIG, "command-results-listener-" + java.util.UUID.randomUUID(),
                // the commit marker that makes a result readable completes a waiting fetch at once; this only
                // bounds how long an idle fetch waits at the broker
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, fetchMaxWaitMs),
                new StringDeserializer(), deserializer);
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.COMMAND_RESULTS.name()).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        // position() resolves the lazy seek now, so that results committed from here on are not skipped
        partitions.forEach(consumer::position);
        positioned = true;
        LOG.info("command results listener positioned partitions={}", partitions.size());
        this.thread = new Thread(this::run, "command-results-listener");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * A future completed with the result of {@code commandId} whose fingerprint is {@code fingerprint}. Register
     * it BEFORE sending the command; {@link #forget} it when giving up.
     */
    public Waiter await(String commandId, String fingerprint) {
        Waiter waiter = new Waiter(commandId, fingerprint, new CompletableFuture<>());
        waiters.computeIfAbsent(commandId, id -> new CopyOnWriteArrayList<>()).add(waiter);
        return waiter;
    }

    public void forget(Waiter waiter) {
        waiters.computeIfPresent(waiter.commandId(), (id, list) -> {
            list.remove(waiter);
            return list.isEmpty() ? null : list;
        });
    }

    /** True once the consumer is positioned at the end of every partition and still reading. */
    public boolean isReady() {
        return positioned && running && thread.isAlive();
    }

    private void run() {
        while (running) {
            try {
                for (ConsumerRecord<String, CommandResult> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.value() != null) {
                        deliver(record.value(), fingerprint(record), record.headers().lastHeader(REPLAYED_HEADER) != null);
                    }
                }
            } catch (WakeupException e) {
                // close() wakes the consumer up to stop
            } catch (RecordDeserializationException e) {
                LOG.warn("command result skipped partition={} offset={} error=\"{}\"", e.topicPartition(), e.offset(),
                        e.getMessage());
                consumer.seek(e.topicPartition(), e.offset() + 1);
            } catch (RuntimeException e) {
                LOG.error("command results listener failed, retrying in 1 s error=\"{}\"", e.toString());
                sleepQuietly();
            }
        }
        consumer.close(Duration.ofSeconds(5));
    }

    private void deliver(CommandResult result, String fingerprint, boolean replayed) {
        // sent from here: awaited, or given up on after the reply timeout (each instance counts its own commands)
        boolean sentFromHere = recent.isPending(result.getCommandId());
        recent.put(result);
        List<Waiter> waiting = waiters.get(result.getCommandId());
        if (waiting != null) {
            for (Waiter waiter : waiting) {
                if (fingerprint == null || fingerprint.equals(waiter.fingerprint())) {
                    sentFromHere = true;
                    waiter.future().complete(result);
                    forget(waiter);
                }
            }
        }
        if (sentFromHere && !replayed) {
            metrics.committed(result);
        }
    }

    private static String fingerprint(ConsumerRecord<String, CommandResult> record) {
        Header header = record.headers().lastHeader(FINGERPRINT_HEADER);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One caller waiting for one command's result. */
    public record Waiter(String commandId, String fingerprint, CompletableFuture<CommandResult> future) {
    }
}
