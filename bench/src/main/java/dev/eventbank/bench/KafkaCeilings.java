package dev.eventbank.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What the broker on this machine can do at best, measured with the plain Kafka producer on a topic of its own
 * next to the running stack: an acknowledged write ({@code acks=all}, each sender waiting for its ack) and a
 * transaction (three records on three partitions then a commit: what one command of the partition writers commits
 * at most, its event, the aggregate and the outcome of a keyed command). A lone command costs one transaction, so
 * the transaction figure bounds the write path at one client; under load one transaction carries many commands.
 *
 * <p>Limits: the stack's services idle beside it, so the figures are for this machine as the benchmark runs it.
 */
final class KafkaCeilings {

    private static final String TOPIC = "bench-ceiling";
    private static final byte[] VALUE = new byte[200];

    private KafkaCeilings() {
    }

    record Figure(String what, int clients, double perSecond, double p50Millis, double p99Millis) {
    }

    static List<Figure> measure(Map<String, Object> kafka, int[] clientCounts, Duration perRun) throws Exception {
        try (Admin admin = Admin.create(KafkaConnection.config(kafka, Map.of()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1))).all().get();
        }
        List<Figure> figures = new ArrayList<>();
        for (int clients : clientCounts) {
            figures.add(acknowledgedWrites(kafka, clients, perRun));
        }
        for (int clients : clientCounts) {
            figures.add(transactions(kafka, clients, perRun));
        }
        return figures;
    }

    /** {@code clients} threads share one producer, as the gateway's request threads do; each waits for its ack. */
    private static Figure acknowledgedWrites(Map<String, Object> kafka, int clients, Duration perRun) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaConnection.config(kafka, Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 0)), new ByteArraySerializer(), new ByteArraySerializer())) {
            return closedLoop("produce acks=all", clients, perRun, client -> producer.send(record()).get());
        }
    }

    /** One transactional producer per client (a transaction belongs to one producer), three records each. */
    private static Figure transactions(Map<String, Object> kafka, int clients, Duration perRun) throws Exception {
        List<KafkaProducer<byte[], byte[]>> producers = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaConnection.config(kafka, Map.of(
                        ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-ceiling-" + UUID.randomUUID(),
                        ProducerConfig.LINGER_MS_CONFIG, 0)), new ByteArraySerializer(), new ByteArraySerializer());
                producer.initTransactions();
                producers.add(producer);
            }
            return closedLoop("transaction (3 records)", clients, perRun, client -> {
                KafkaProducer<byte[], byte[]> producer = producers.get(client);
                producer.beginTransaction();
                for (int partition = 0; partition < 3; partition++) {
                    producer.send(new ProducerRecord<>(TOPIC, partition, null, VALUE));
                }
                producer.commitTransaction();
            });
        } finally {
            producers.forEach(producer -> producer.close(Duration.ofSeconds(5)));
        }
    }

    private static ProducerRecord<byte[], byte[]> record() {
        return new ProducerRecord<>(TOPIC, UUID.randomUUID().toString().getBytes(), VALUE);
    }

    /** One operation of client number {@code client} (0 .. clients - 1), waiting for its outcome. */
    private interface Operation {
        void run(int client) throws Exception;
    }

    private static Figure closedLoop(String what, int clients, Duration perRun, Operation operation) throws Exception {
        System.out.printf("bench: ceiling %s, %d clients, %d s%n", what, clients, perRun.toSeconds());
        Recorder recorder = new Recorder(3);
        long end = System.nanoTime() + perRun.toNanos();
        List<Thread> threads = new ArrayList<>();
        List<Exception> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int i = 0; i < clients; i++) {
            int client = i;
            Thread thread = new Thread(() -> {
                try {
                    while (System.nanoTime() < end) {
                        long start = System.nanoTime();
                        operation.run(client);
                        recorder.recordValue((System.nanoTime() - start) / 1000);
                    }
                } catch (Exception e) {
                    failures.add(e);
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("ceiling run failed: " + failures.get(0), failures.get(0));
        }
        Histogram histogram = recorder.getIntervalHistogram();
        return new Figure(what, clients, histogram.getTotalCount() / (double) perRun.toSeconds(),
                histogram.getValueAtPercentile(50) / 1000.0, histogram.getValueAtPercentile(99) / 1000.0);
    }
}
