package dev.eventbank.command;

import dev.eventbank.testbroker.DecidedOffsets;
import dev.eventbank.testbroker.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link DecidedOffsets} (test-broker's helper) against the real broker. It lives here, not in test-broker, because
 * this module's tests already run the JVM's shared broker: a test of it in test-broker would start one more.
 */
class DecidedOffsetsIT {

    private static Admin admin;
    private static String bootstrapServers;

    @BeforeAll
    static void connect() {
        bootstrapServers = TestBroker.shared().bootstrapServers();
        admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers));
    }

    @AfterAll
    static void close() {
        admin.close();
    }

    @Test
    void shouldSeeEveryRecordOfATransactionReadRightAfterItsCommitReturned() throws Exception {
        // given: a transactional producer on a fresh partition
        TopicPartition partition = newPartition();
        try (KafkaProducer<String, String> producer = transactional();
             KafkaConsumer<String, String> reader = readCommitted(partition)) {
            for (int transaction = 1; transaction <= 20; transaction++) {
                // when: each transaction's commit returns and the decided end is asked for at once
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(partition.topic(), partition.partition(), "k", "v" + transaction));
                producer.commitTransaction();
                long end = DecidedOffsets.of(admin, List.of(partition), Duration.ofSeconds(10)).get(partition);

                // then: it counts the transaction's record and its marker, and a read_committed read to it has it
                assertEquals(2L * transaction, end, "after transaction " + transaction);
                reader.seekToBeginning(List.of(partition));
                long read = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (reader.position(partition) < end && System.nanoTime() < deadline) {
                    read += reader.poll(Duration.ofMillis(100)).count();
                }
                assertEquals(transaction, read, "records read to the decided end after transaction " + transaction);
            }
        }
    }

    @Test
    void shouldWaitForAnOpenTransactionToBeDecidedAndStopWaitingAtTheTimeout() throws Exception {
        // given: a transaction with three records, not committed yet
        TopicPartition partition = newPartition();
        try (KafkaProducer<String, String> producer = transactional()) {
            producer.beginTransaction();
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(partition.topic(), partition.partition(), "k", "v" + i));
            }
            producer.flush();

            // when it stays open: the end is where it starts, once the timeout passed
            assertEquals(0L, DecidedOffsets.of(admin, List.of(partition), Duration.ofMillis(300)).get(partition));

            // when it commits while a call waits: that call returns the end past its records and marker
            CompletableFuture<Void> commit = CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                producer.commitTransaction();
            });
            assertEquals(4L, DecidedOffsets.of(admin, List.of(partition), Duration.ofSeconds(10)).get(partition));
            commit.get(10, TimeUnit.SECONDS);
        }
    }

    private static TopicPartition newPartition() throws Exception {
        String topic = "decided-offsets-it-" + UUID.randomUUID();
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(10, TimeUnit.SECONDS);
        return new TopicPartition(topic, 0);
    }

    private static KafkaProducer<String, String> transactional() {
        KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                "bootstrap.servers", bootstrapServers,
                "transactional.id", "decided-offsets-it-" + UUID.randomUUID()),
                new StringSerializer(), new StringSerializer());
        producer.initTransactions();
        return producer;
    }

    private static KafkaConsumer<String, String> readCommitted(TopicPartition partition) {
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                "bootstrap.servers", bootstrapServers,
                "isolation.level", "read_committed"), new StringDeserializer(), new StringDeserializer());
        consumer.assign(List.of(partition));
        return consumer;
    }
}
