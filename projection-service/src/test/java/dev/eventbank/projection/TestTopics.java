package dev.eventbank.projection;

import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.testbroker.DecidedOffsets;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.fail;

/** The projection ITs' access to the real broker's topics, as an outside producer and consumer would have it. */
public final class TestTopics {

    private TestTopics() {
    }

    /**
     * Every record of {@code topic} from the beginning to its end at the time of the call, read_committed, in
     * partition order; fails the test if that takes longer than {@code timeout}. The end is the one once every
     * transaction written before the call is decided ({@link DecidedOffsets}): a transaction's commit returns
     * before its markers are written, so the last stable offset can still stop short of it.
     */
    public static List<ConsumerRecord<String, byte[]>> readToEnd(String bootstrapServers, String topic, Duration timeout) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = DecidedOffsets.of(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), partitions, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                if (System.nanoTime() > deadline) {
                    fail("could not read " + topic + " to its end within " + timeout);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /** Appends {@code events} to the event log in our wire format (acks=all, not transactional), keyed by aggregate. */
    public static void produceEvents(String bootstrapServers, SchemaRegistryClient registry, List<BankAccountEvent> events)
            throws Exception {
        var serializer = AvroSerdes.value(BankAccountEvent.class, registry).serializer();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            for (BankAccountEvent event : events) {
                producer.send(new ProducerRecord<>(Topics.EVENTS.name(), event.getAggregateId(),
                        serializer.serialize(Topics.EVENTS.name(), event)));
            }
            producer.flush();
        }
    }
}
