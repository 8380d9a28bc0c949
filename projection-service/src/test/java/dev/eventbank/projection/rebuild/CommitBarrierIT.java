package dev.eventbank.projection.rebuild;

import dev.eventbank.support.testing.ServiceUnderTest;
import dev.eventbank.testbroker.TestBroker;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CommitBarrier} against a real Kafka Streams app on a real broker: a thread whose commit is held (its
 * producer's acknowledgement of an output record blocked) keeps the barrier shut for longer than the fixed wait it
 * replaced (commit interval plus 0.5 s), and once the commit goes through the barrier opens and the output is there
 * for a {@code read_committed} reader.
 */
class CommitBarrierIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String id = "commit-barrier-it-" + UUID.randomUUID();
    private final String input = id + "-in";
    private final String output = id + "-out";
    private final String bootstrapServers = TestBroker.shared().bootstrapServers();
    private KafkaStreams streams;

    @AfterEach
    void stop() {
        HeldAcknowledgements.release();
        if (streams != null) {
            streams.close(Duration.ofSeconds(30));
        }
    }

    @Test
    void shouldStayShutWhileAThreadsCommitIsHeldAndOpenOnceItCommitted() throws Exception {
        // given: an exactly-once app committing every 100 ms that has passed a first record through
        streams = start();
        produce("first");
        assertTrue(awaitOutput("first"), "the first record's output");

        // when: the next record's output is not acknowledged until released, so its commit cannot finish
        HeldAcknowledgements.hold();
        produce("second");
        assertTrue(HeldAcknowledgements.holding.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), "held");
        CommitBarrier barrier = CommitBarrier.after(CommitBarrier.commitsByThread(streams));

        // then: shut for 2 s, longer than the commit interval plus 0.5 s
        Thread.sleep(2000);
        assertFalse(barrier.passed(CommitBarrier.commitsByThread(streams)),
                () -> "passed while held; waiting for " + barrier.waitingFor(CommitBarrier.commitsByThread(streams)));

        // when: released
        HeldAcknowledgements.release();

        // then: open, and the second record's output committed
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!barrier.passed(CommitBarrier.commitsByThread(streams)) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(barrier.passed(CommitBarrier.commitsByThread(streams)), "not passed after the commit was let go");
        assertTrue(awaitOutput("second"), "the second record's output, read_committed");
    }

    private KafkaStreams start() throws Exception {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(input, Consumed.with(Serdes.String(), Serdes.String()))
                .mapValues(value -> value)
                .to(output, Produced.with(Serdes.String(), Serdes.String()));
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, id);
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        properties.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        properties.put(StreamsConfig.STATE_DIR_CONFIG, ServiceUnderTest.stateDir("commit-barrier-it").toString());
        properties.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        properties.put(StreamsConfig.producerPrefix(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG),
                HeldAcknowledgements.class.getName());
        properties.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(input, 1, (short) 1),
                    new org.apache.kafka.clients.admin.NewTopic(output, 1, (short) 1))).all()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        KafkaStreams app = new KafkaStreams(builder.build(), properties);
        app.start();
        return app;
    }

    private void produce(String value) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(input, "k", value)).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Whether {@code value} is on the output topic for a read_committed reader within {@link #TIMEOUT}. */
    private boolean awaitOutput(String value) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.GROUP_ID_CONFIG, id + "-reader-" + UUID.randomUUID()),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(output));
            List<String> seen = new ArrayList<>();
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!seen.contains(value) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> seen.add(record.value()));
            }
            return seen.contains(value);
        }
    }

    /**
     * While held, blocks the producer's network thread in the first acknowledgement it reports until released: the
     * record's batch is not complete before its callbacks return, so the transaction cannot commit (its flush waits
     * for the batch, its EndTxn answer for the network thread).
     */
    public static final class HeldAcknowledgements implements ProducerInterceptor<byte[], byte[]> {

        private static volatile CountDownLatch release = new CountDownLatch(0);
        static volatile CountDownLatch holding = new CountDownLatch(1);

        static void hold() {
            holding = new CountDownLatch(1);
            release = new CountDownLatch(1);
        }

        static void release() {
            release.countDown();
        }

        @Override
        public ProducerRecord<byte[], byte[]> onSend(ProducerRecord<byte[], byte[]> record) {
            return record;
        }

        @Override
        public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
            CountDownLatch held = release;
            if (held.getCount() == 0) {
                return;
            }
            holding.countDown();
            try {
                held.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
        }

        @Override
        public void configure(Map<String, ?> configs) {
        }
    }
}
