package dev.eventbank.projection.rebuild;

import dev.eventbank.testbroker.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bulk load's reader on a real broker: the segments' records in order with an end after each, a skipped
 * partition passed over, the consumer's failure handed over in order, and a close that ends the reader's thread even
 * when nobody takes its items.
 */
class PartitionPrefetchIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int RECORDS = 40;

    private final String bootstrap = TestBroker.shared().bootstrapServers();

    @Test
    void shouldHandEachSegmentsRecordsInOrderWithAnEndAfterIt() throws Exception {
        // given: two partitions of 40 records; the second read from offset 5, and an empty segment between them
        String topic = topicWithRecords();
        TopicPartition first = new TopicPartition(topic, 0);
        TopicPartition second = new TopicPartition(topic, 1);
        List<PartitionPrefetch.Segment> segments = List.of(new PartitionPrefetch.Segment(first, 0, RECORDS),
                new PartitionPrefetch.Segment(new TopicPartition(topic, 2), 0, 0),
                new PartitionPrefetch.Segment(second, 5, RECORDS));

        try (KafkaConsumer<String, byte[]> consumer = consumer(7);
             PartitionPrefetch reader = new PartitionPrefetch(consumer, segments, 2, WAIT)) {
            // when
            reader.start("prefetch-it");

            // then: 0 to 39 of the first, its end, 5 to 39 of the second, its end; nothing of the empty segment
            assertEquals(offsets(0, RECORDS), offsetsUpToEnd(reader, first));
            assertEquals(offsets(5, RECORDS), offsetsUpToEnd(reader, second));
            assertNull(reader.next(Duration.ofMillis(500)));
        }
    }

    @Test
    void shouldPassOverASkippedPartitionAndGoOnWithTheNext() throws Exception {
        // given: polls of 3 records, one poll read ahead
        String topic = topicWithRecords();
        TopicPartition first = new TopicPartition(topic, 0);
        TopicPartition second = new TopicPartition(topic, 1);
        try (KafkaConsumer<String, byte[]> consumer = consumer(3);
             PartitionPrefetch reader = new PartitionPrefetch(consumer, List.of(
                     new PartitionPrefetch.Segment(first, 0, RECORDS), new PartitionPrefetch.Segment(second, 0, RECORDS)),
                     1, WAIT)) {
            reader.start("prefetch-it");
            PartitionPrefetch.Item firstBatch = take(reader);
            assertEquals(first, ((PartitionPrefetch.Batch) firstBatch).partition());

            // when
            reader.skip(first);

            // then: a few batches of the first at most (those read ahead), its end, then the whole second
            List<Long> passedOver = offsetsUpToEnd(reader, first);
            assertTrue(passedOver.size() < RECORDS - 3, "read on after the skip: " + passedOver);
            assertEquals(offsets(0, RECORDS), offsetsUpToEnd(reader, second));
        }
    }

    @Test
    void shouldHandTheConsumersFailureOver() throws Exception {
        // given: a segment that begins below the partition's log start, and no offset reset to hide it
        String topic = topicWithRecords();
        TopicPartition first = new TopicPartition(topic, 0);
        try (Admin admin = admin()) {
            admin.deleteRecords(Map.of(first, RecordsToDelete.beforeOffset(10))).all().get(30, TimeUnit.SECONDS);
        }
        try (KafkaConsumer<String, byte[]> consumer = consumer(7);
             PartitionPrefetch reader = new PartitionPrefetch(consumer,
                     List.of(new PartitionPrefetch.Segment(first, 0, RECORDS)), 2, WAIT)) {
            // when
            reader.start("prefetch-it");

            // then
            PartitionPrefetch.Failed failed = assertInstanceOf(PartitionPrefetch.Failed.class, take(reader));
            assertInstanceOf(OffsetOutOfRangeException.class, failed.error());
        }
    }

    @Test
    void shouldEndItsThreadOnCloseWhenNobodyTakesItsItems() throws Exception {
        // given: a reader one poll ahead whose items nobody takes (a fold that stopped)
        String topic = topicWithRecords();
        KafkaConsumer<String, byte[]> consumer = consumer(3);
        PartitionPrefetch reader = new PartitionPrefetch(consumer,
                List.of(new PartitionPrefetch.Segment(new TopicPartition(topic, 0), 0, RECORDS)), 1, WAIT);
        reader.start("prefetch-it");
        take(reader);

        // when
        long start = System.nanoTime();
        reader.close();

        // then: back well within the wait, and the consumer is the caller's again (a consumer still used by the
        // reader's thread would refuse the close with a ConcurrentModificationException)
        assertTrue(System.nanoTime() - start < WAIT.toNanos() / 2, "close took too long");
        consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(WAIT));
    }

    private static List<Long> offsetsUpToEnd(PartitionPrefetch reader, TopicPartition partition) throws Exception {
        List<Long> offsets = new ArrayList<>();
        while (true) {
            PartitionPrefetch.Item item = take(reader);
            if (item instanceof PartitionPrefetch.End end) {
                assertEquals(partition, end.partition());
                return offsets;
            }
            PartitionPrefetch.Batch batch = assertInstanceOf(PartitionPrefetch.Batch.class, item);
            assertEquals(partition, batch.partition());
            for (ConsumerRecord<String, byte[]> record : batch.records()) {
                offsets.add(record.offset());
            }
        }
    }

    private static PartitionPrefetch.Item take(PartitionPrefetch reader) throws InterruptedException {
        PartitionPrefetch.Item item = reader.next(WAIT);
        if (item == null) {
            throw new AssertionError("no item within " + WAIT);
        }
        return item;
    }

    private static List<Long> offsets(long from, long to) {
        List<Long> offsets = new ArrayList<>();
        for (long offset = from; offset < to; offset++) {
            offsets.add(offset);
        }
        return offsets;
    }

    /** A new topic of 3 partitions, {@value #RECORDS} records in each of the first two (offsets 0 to 39). */
    private String topicWithRecords() throws Exception {
        String topic = "prefetch-it-" + UUID.randomUUID();
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new ByteArraySerializer())) {
            for (int partition = 0; partition < 2; partition++) {
                for (int i = 0; i < RECORDS; i++) {
                    producer.send(new ProducerRecord<>(topic, partition, "k" + i, new byte[] {(byte) i}));
                }
            }
            producer.flush();
        }
        return topic;
    }

    private KafkaConsumer<String, byte[]> consumer(int maxPollRecords) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords), new StringDeserializer(), new ByteArrayDeserializer());
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }
}
