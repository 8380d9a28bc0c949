package dev.eventbank.registry;

import io.micronaut.configuration.kafka.config.KafkaDefaultConfiguration;
import io.micronaut.context.annotation.Context;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The registry's store: one compacted Kafka topic ({@code _schemas}, one partition) in Confluent's record format
 * ({@link StoreCodec}), like Confluent's KafkaStore.
 *
 * <p>At startup a reader thread creates the topic if it is missing, reads it from the beginning to the end offset
 * it had then into the {@link RegistryState} (until then {@link #isReady()} is false and requests wait), then keeps
 * tailing it. A write is produced with acks=all by an idempotent producer, then waits until the reader has applied
 * its offset: the state is only ever changed by what was read back from Kafka, so a restarted registry rebuilds
 * exactly the same ids and versions.
 *
 * <p>Limits: one registry instance per topic. Ids and versions are assigned as max + 1 by the one writer
 * ({@link SchemaRegistry}), after the reader has applied the topic's current end ({@link #awaitLatest}); a second
 * instance writing the same topic could assign the same id twice (Confluent avoids this with a leader election this
 * store does not have). Of two records giving one id to two schemas the first read wins ({@link RegistryState}); once
 * the winner is deleted for good and compacted away, a replay finds only the other one.
 *
 * <p>Why its own clients and not micronaut-kafka's {@code @KafkaListener}/{@code @KafkaClient}: a write waits until
 * the reader has applied that write's offset, and readiness waits until the reader reached the end offset it saw
 * at start; both need the reader's position, which a listener does not expose, and a listener without a group does
 * not read from the beginning on every start. The clients' settings are micronaut-kafka's {@code kafka.*}.
 */
@Context
final class KafkaSchemaStore implements SchemaStore, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSchemaStore.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration RETRY_BACKOFF = Duration.ofSeconds(2);

    private final RegistryState state;
    /** bootstrap servers and authentication settings of the store's Kafka clients */
    private final Map<String, Object> connection;
    private final String topic;
    private final short replicationFactor;
    private final Duration timeout;
    private final TopicPartition partition;
    private final KafkaProducer<String, String> producer;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final Thread reader;
    private final Object progress = new Object();

    // guarded by progress: the offset the reader will apply next, and why it stopped if it did
    private long nextOffset;
    private RuntimeException failure;

    private final Object endOffsets = new Object();
    // guarded by endOffsets
    private KafkaConsumer<String, String> endOffsetsConsumer;

    private volatile boolean running = true;
    private volatile KafkaConsumer<String, String> consumer;

    /**
     * @param kafka micronaut-kafka's {@code kafka.*} configuration: how the store's clients reach and authenticate to
     *              the broker ({@code kafka.bootstrap.servers}, {@code kafka.security.protocol}, {@code kafka.sasl.*}),
     *              as every service's; micronaut-kafka's own keys ({@code kafka.health.*}) are left out
     */
    KafkaSchemaStore(RegistryState state, RegistryConfig config, KafkaDefaultConfiguration kafka) {
        this.state = state;
        Map<String, Object> connection = new java.util.HashMap<>();
        kafka.getConfig().forEach((key, value) -> {
            if (!key.toString().startsWith("health")) {
                connection.put(key.toString(), value);
            }
        });
        this.connection = Map.copyOf(connection);
        this.topic = config.topic();
        this.replicationFactor = config.topicReplicationFactor();
        this.timeout = config.timeout();
        this.partition = new TopicPartition(topic, 0);
        this.producer = new KafkaProducer<>(withConnection(Map.of(
                ProducerConfig.CLIENT_ID_CONFIG, "schema-registry-store-writer",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                // a write the request gave up on is given up by the producer soon after, not retried for 2 min
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(1, timeout.toMillis() / 2),
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(1, timeout.toMillis()),
                // a broker that is away must not block a request thread beyond the request's own timeout
                ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) timeout.toMillis())),
                new StringSerializer(), new StringSerializer());
        this.reader = new Thread(this::readForever, "schema-store-reader");
        this.reader.setDaemon(true);
    }

    @PostConstruct
    void start() {
        reader.start();
    }

    @Override
    public void write(List<StoreRecord> records) {
        awaitReady();
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (StoreRecord record : records) {
            sent.add(producer.send(new ProducerRecord<>(topic, 0, StoreCodec.key(record), StoreCodec.value(record))));
        }
        long lastOffset = -1;
        for (Future<RecordMetadata> future : sent) {
            try {
                lastOffset = Math.max(lastOffset, future.get(remainingNanos(deadline), TimeUnit.NANOSECONDS).offset());
            } catch (TimeoutException e) {
                // the record may still be written: wait for the producer's outcome (bounded by its delivery timeout),
                // still under the registry's write lock, so the next write's awaitLatest reads it back before it
                // assigns an id or a version
                producer.flush();
                throw RegistryException.timeout("the write to topic " + topic + " was not acknowledged within "
                        + timeout.toMillis() + " ms");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RecordTooLargeException tooLarge) {
                    // the client's subject name and schema, not the store, are at fault (Kafka refused the record
                    // before writing it, in the producer or the broker): nothing was stored
                    throw RegistryException.schemaTooLarge("with its subject name it takes more than a record of topic "
                            + topic + " may (" + tooLarge.getMessage() + ")");
                }
                throw RegistryException.storeError("writing to topic " + topic + " failed: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw RegistryException.storeError("interrupted while writing to topic " + topic, e);
            }
        }
        awaitApplied(lastOffset, deadline);
    }

    /**
     * Reads the topic's end offset with a consumer of its own (the reader's is not shared between threads), then waits
     * until the reader has applied everything before it.
     */
    @Override
    public void awaitLatest() {
        awaitReady();
        long deadline = System.nanoTime() + timeout.toNanos();
        long end;
        try {
            synchronized (endOffsets) {
                if (endOffsetsConsumer == null) {
                    endOffsetsConsumer = new KafkaConsumer<>(withConnection(Map.of(
                            ConsumerConfig.CLIENT_ID_CONFIG, "schema-registry-store-end-offsets",
                            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)),
                            new StringDeserializer(), new StringDeserializer());
                }
                end = endOffsetsConsumer.endOffsets(List.of(partition), timeout).get(partition);
            }
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw RegistryException.timeout("the end offset of topic " + topic + " was not known within "
                    + timeout.toMillis() + " ms");
        } catch (org.apache.kafka.common.KafkaException e) {
            throw RegistryException.storeError("reading the end offset of topic " + topic + " failed: " + e, e);
        }
        awaitApplied(end - 1, deadline);
    }

    @Override
    public void awaitReady() {
        try {
            if (!caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                failIfBroken();
                throw RegistryException.timeout("the store has not caught up with topic " + topic + " yet");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RegistryException.storeError("interrupted while waiting for the store", e);
        }
        failIfBroken();
    }

    @Override
    public boolean isReady() {
        synchronized (progress) {
            return caughtUp.getCount() == 0 && failure == null && reader.isAlive();
        }
    }

    String topic() {
        return topic;
    }

    long nextOffset() {
        synchronized (progress) {
            return nextOffset;
        }
    }

    @PreDestroy
    @Override
    public void close() {
        running = false;
        KafkaConsumer<String, String> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        try {
            reader.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
        synchronized (endOffsets) {
            if (endOffsetsConsumer != null) {
                endOffsetsConsumer.close(Duration.ofSeconds(5));
            }
        }
    }

    private void awaitApplied(long offset, long deadline) {
        synchronized (progress) {
            while (nextOffset <= offset) {
                failIfBroken();
                long wait = TimeUnit.NANOSECONDS.toMillis(remainingNanos(deadline));
                if (wait <= 0) {
                    throw RegistryException.timeout("offset " + offset + " of topic " + topic
                            + " was written but not read back within " + timeout.toMillis() + " ms");
                }
                try {
                    progress.wait(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw RegistryException.storeError("interrupted while waiting for the store", e);
                }
            }
        }
    }

    private void failIfBroken() {
        synchronized (progress) {
            if (failure != null) {
                throw RegistryException.storeError("the store reader stopped: " + failure.getMessage(), failure);
            }
        }
    }

    private Map<String, Object> withConnection(Map<String, Object> config) {
        Map<String, Object> merged = new java.util.HashMap<>(config);
        merged.putAll(connection);
        return merged;
    }

    private static long remainingNanos(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    private void readForever() {
        try {
            ensureTopic();
            try (KafkaConsumer<String, String> kafka = new KafkaConsumer<>(withConnection(Map.of(
                    ConsumerConfig.CLIENT_ID_CONFIG, "schema-registry-store-reader",
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")),
                    new StringDeserializer(), new StringDeserializer())) {
                consumer = kafka;
                if (!running) {
                    return;
                }
                // no consumer group: the registry always reads the whole topic, it never resumes from a commit
                kafka.assign(List.of(partition));
                kafka.seekToBeginning(List.of(partition));
                long begin = System.nanoTime();
                long endAtStart = -1;
                long applied = 0;
                while (running) {
                    try {
                        if (endAtStart < 0) {
                            endAtStart = kafka.endOffsets(List.of(partition)).get(partition);
                        }
                        for (ConsumerRecord<String, String> record : kafka.poll(POLL)) {
                            applied += apply(record) ? 1 : 0;
                        }
                        long position = kafka.position(partition);
                        synchronized (progress) {
                            nextOffset = position;
                            progress.notifyAll();
                        }
                        if (caughtUp.getCount() > 0 && position >= endAtStart) {
                            LOG.info("store caught up with {} records of topic {} (end offset {}) in {} ms", applied,
                                    topic, endAtStart, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
                            caughtUp.countDown();
                        }
                    } catch (RetriableException e) {
                        // the broker is away for a while: keep the state we have and try again
                        LOG.warn("reading topic {} failed, retrying in {} s: {}", topic, RETRY_BACKOFF.toSeconds(),
                                e.toString());
                        sleep(RETRY_BACKOFF);
                    }
                }
            }
        } catch (WakeupException e) {
            if (running) {
                stop(new IllegalStateException("store reader woken up unexpectedly", e));
            }
        } catch (RuntimeException e) {
            stop(e);
        }
    }

    private boolean apply(ConsumerRecord<String, String> record) {
        try {
            Optional<StoreRecord> decoded = StoreCodec.decode(record.key(), record.value());
            decoded.ifPresent(state::apply);
            return decoded.isPresent();
        } catch (RuntimeException e) {
            // one unreadable record must not take the registry down: it was never written by us
            LOG.warn("skipping unreadable record at offset {} of topic {}: {}", record.offset(), topic, e.getMessage());
            return false;
        }
    }

    private void stop(RuntimeException cause) {
        LOG.error("store reader of topic {} stopped; the registry is unhealthy", topic, cause);
        synchronized (progress) {
            failure = cause;
            progress.notifyAll();
        }
    }

    /**
     * Creates the topic if it is missing, retrying while the broker is unreachable; fails if it exists with more
     * than one partition, since the reader relies on a single total order of writes.
     */
    private void ensureTopic() {
        while (running) {
            try (Admin admin = Admin.create(withConnection(Map.of(
                    AdminClientConfig.CLIENT_ID_CONFIG, "schema-registry-store-admin")))) {
                createOrVerify(admin);
                return;
            } catch (ExecutionException | TimeoutException | org.apache.kafka.common.KafkaException e) {
                Throwable cause = e;
                while (cause.getCause() != null) {
                    cause = cause.getCause();
                }
                LOG.warn("topic {} not available yet, retrying in {} s: {}", topic, RETRY_BACKOFF.toSeconds(),
                        cause.toString());
                sleep(RETRY_BACKOFF);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while creating topic " + topic, e);
            }
        }
    }

    private void createOrVerify(Admin admin) throws ExecutionException, InterruptedException, TimeoutException {
        long waitMs = Math.max(timeout.toMillis(), 5000);
        try {
            admin.createTopics(List.of(new NewTopic(topic, 1, replicationFactor)
                            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
                    .all().get(waitMs, TimeUnit.MILLISECONDS);
            LOG.info("created topic {} (1 partition, replication factor {}, compacted)", topic, replicationFactor);
            return;
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
        TopicDescription description = admin.describeTopics(Set.of(topic)).allTopicNames()
                .get(waitMs, TimeUnit.MILLISECONDS).get(topic);
        if (description.partitions().size() != 1) {
            throw new IllegalStateException("topic " + topic + " has " + description.partitions().size()
                    + " partitions; the schema store needs exactly 1");
        }
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = admin.describeConfigs(Set.of(resource)).all().get(waitMs, TimeUnit.MILLISECONDS).get(resource);
        String policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
        if (!TopicConfig.CLEANUP_POLICY_COMPACT.equals(policy)) {
            LOG.warn("topic {} has cleanup.policy={}, expected compact: old schemas may expire", topic, policy);
        }
    }

    private void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to retry", e);
        }
    }
}
