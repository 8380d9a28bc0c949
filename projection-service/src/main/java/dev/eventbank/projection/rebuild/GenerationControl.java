package dev.eventbank.projection.rebuild;

import dev.eventbank.schemas.catalog.TopicSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The projection's generations, persisted in the compacted one-partition topic {@value #TOPIC_NAME} so that a
 * restart (or a second instance) runs the same generation. Three keys per base application id, values are decimal
 * generation numbers as UTF-8 strings (readable with any console consumer):
 * <ul>
 *   <li>{@code <base>}: the active generation (absent = 0, the base application id itself);</li>
 *   <li>{@code <base>/rebuilding}: the generation a rebuild is building; a tombstone once it failed or was
 *       cancelled, or once the active generation's re-publish after a switch (or after an abandoned rebuild's clean-up)
 *       is committed. A value greater than the active one at start means the rebuild was abandoned; a value equal to
 *       it, a switch whose re-publish may not be committed: never abandoned, the start re-publishes once and ends
 *       it;</li>
 *   <li>{@code <base>/highest}: the highest generation ever started, so a new rebuild never reuses the
 *       application id (and internal topic names) of an abandoned one whose topics may still be being deleted.</li>
 * </ul>
 * Limits: read once at start (to its end) and written by the rebuild; instances do not watch it while running.
 *
 * <p>Why its own clients and not micronaut-kafka's: it reads the topic to its end once, at start, before any
 * generation runs, and writes a key at a time during a rebuild, waiting for each write; a {@code @KafkaListener}
 * keeps consuming in the background and cannot say "read up to here". Its settings are the projection's
 * ({@code kafka.*}, the connection part).
 */
final class GenerationControl implements AutoCloseable {

    static final String TOPIC_NAME = "bank-projection-generations";
    static final TopicSpec TOPIC = new TopicSpec(TOPIC_NAME, 1, Map.of("cleanup.policy", "compact"));

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(GenerationControl.class);

    /** What the topic says about one base application id. */
    record State(long active, Long rebuilding, long highest) {

        /**
         * Whether a rebuild was started and never ended (the service stopped during it): its generation is above the
         * active one. A rebuild record at or below the active generation is a rebuild that switched.
         */
        boolean rebuildAbandoned() {
            return rebuilding != null && rebuilding > active;
        }
    }

    /** The write of the active generation failed twice: whether the topic names it is not known. */
    static final class ActivationUnknownException extends RuntimeException {

        ActivationUnknownException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Map<String, Object> connection;
    private final String base;
    private final Map<String, Object> producerSettings;
    private KafkaProducer<String, String> producer;

    /** @param connection bootstrap servers and authentication settings of the Kafka clients */
    GenerationControl(Map<String, Object> connection, String baseApplicationId) {
        this(connection, baseApplicationId, Map.of());
    }

    /** @param producerSettings settings of its producer only, over {@code connection} (tests: an interceptor) */
    GenerationControl(Map<String, Object> connection, String baseApplicationId, Map<String, Object> producerSettings) {
        this.connection = Map.copyOf(connection);
        this.base = baseApplicationId;
        this.producerSettings = Map.copyOf(producerSettings);
    }

    /** Reads the topic from the beginning to its end offset at the time of the call. */
    State read() {
        Map<String, String> latest = new HashMap<>();
        TopicPartition partition = new TopicPartition(TOPIC_NAME, 0);
        Map<String, Object> config = new HashMap<>(connection);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), TIMEOUT).get(partition);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (consumer.position(partition, TIMEOUT) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + TOPIC_NAME + " to its end within " + TIMEOUT);
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    if (base.equals(record.key()) || rebuildingKey().equals(record.key()) || highestKey().equals(record.key())) {
                        latest.put(record.key(), record.value());
                    }
                }
            }
        }
        long active = number(latest.get(base), 0L);
        Long rebuilding = latest.get(rebuildingKey()) == null ? null : number(latest.get(rebuildingKey()), 0L);
        long highest = Math.max(active, Math.max(rebuilding == null ? 0 : rebuilding, number(latest.get(highestKey()), 0L)));
        return new State(active, rebuilding, highest);
    }

    /** Records that {@code generation} is being built (and is the highest so far). */
    void rebuilding(long generation) {
        write(highestKey(), String.valueOf(generation));
        write(rebuildingKey(), String.valueOf(generation));
    }

    /**
     * Records that the active generation {@code active} re-publishes and its re-publish is not known to be committed
     * yet (after an abandoned rebuild's clean-up), as a switch leaves it; unlike {@link #rebuilding}, the highest
     * generation stays as it is, so a generation number is never used twice.
     */
    void republishPending(long active) {
        write(rebuildingKey(), String.valueOf(active));
    }

    /**
     * Makes {@code generation} the active one. The rebuild record stays: a record equal to the active generation is a
     * switch whose re-publish is not known to be committed yet, which a start re-publishes once
     * ({@code ProjectionGenerations}); the switching instance ends it ({@link #rebuildEnded}) once it is. A record at or
     * below the active generation never reads as an abandoned rebuild ({@link State#rebuildAbandoned}). A failed write
     * may still have landed, or land later: it is written once more by a new producer (the same value, so a late copy
     * of the first changes nothing), and when that fails too the outcome is unknown.
     *
     * @throws ActivationUnknownException both writes failed (or the thread was interrupted): the topic may or may not
     *                                    name {@code generation}; delete neither generation, a restart decides
     */
    void activate(long generation) {
        try {
            write(base, String.valueOf(generation));
        } catch (IllegalStateException first) {
            close();
            if (Thread.currentThread().isInterrupted()) {
                throw new ActivationUnknownException("interrupted while recording generation " + generation
                        + " as active", first);
            }
            try {
                write(base, String.valueOf(generation));
            } catch (IllegalStateException second) {
                close();
                throw new ActivationUnknownException("could not record generation " + generation + " as active in "
                        + TOPIC_NAME + " (two attempts): " + second.getMessage(), second);
            }
            LOG.warn("generation recorded as active at the second attempt generation={} firstError=\"{}\"",
                    generation, first.getMessage());
        }
    }

    /** Ends the rebuild record: a switch whose re-publish is committed, or a rebuild that failed, was cancelled or abandoned. */
    void rebuildEnded() {
        write(rebuildingKey(), null);
    }

    private synchronized void write(String key, String value) {
        if (producer == null) {
            Map<String, Object> config = new HashMap<>(connection);
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            // a write the caller gave up on (TIMEOUT) is given up by the producer too, not retried behind its back
            config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis() / 3);
            config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis() * 2 / 3);
            config.putAll(producerSettings);
            producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
        }
        try {
            producer.send(new ProducerRecord<>(TOPIC_NAME, 0, key, value)).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not write " + key + "=" + value + " to " + TOPIC_NAME + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing to " + TOPIC_NAME, e);
        }
    }

    private String rebuildingKey() {
        return base + "/rebuilding";
    }

    private String highestKey() {
        return base + "/highest";
    }

    private static long number(String value, long absent) {
        if (value == null) {
            return absent;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException(TOPIC_NAME + " holds '" + value + "', not a generation number");
        }
    }

    @Override
    public synchronized void close() {
        KafkaProducer<String, String> closing = producer;
        producer = null;
        if (closing != null) {
            try {
                closing.close(Duration.ofSeconds(5));
            } catch (org.apache.kafka.common.errors.InterruptException e) {
                // closed all the same; the caller sees the interrupt
                Thread.currentThread().interrupt();
            }
        }
    }
}
