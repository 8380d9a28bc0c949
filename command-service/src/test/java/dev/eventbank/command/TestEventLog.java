package dev.eventbank.command;

import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.serde.AvroDeserializer;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import dev.eventbank.support.testing.ServiceUnderTest;
import dev.eventbank.testbroker.TestBroker;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The event log as the command service's integration tests check it: {@code bank-account-events} on the JVM's
 * shared test broker, read read_committed from its start to its end at the time of the call, decoded with the shared
 * registry; the read fails the test when it does not reach that end within 30 s.
 */
final class TestEventLog {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private TestEventLog() {
    }

    /** Every event of the log, in log order per partition. */
    static List<BankAccountEvent> events() {
        return read(key -> true);
    }

    /** The events of {@code account}, in log order (its versions in order: they share one partition). */
    static List<BankAccountEvent> eventsOf(String account) {
        return read(account::equals);
    }

    /**
     * The events of {@code account} once there are at least {@code count}, or what there is after 10 s. A command's
     * 2xx comes when its transaction's commit returns, and the commit markers follow it (transactions version 2): a
     * read_committed read right after the 2xx may not see the events yet.
     */
    static List<BankAccountEvent> eventsOf(String account, long count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<BankAccountEvent> events = eventsOf(account);
        while (events.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(50);
            events = eventsOf(account);
        }
        return events;
    }

    /** The events whose record key (the account id) {@code keys} accepts; the others are not decoded. */
    private static List<BankAccountEvent> read(Predicate<String> keys) {
        AvroDeserializer<BankAccountEvent> deserializer = new AvroDeserializer<>(
                SchemaRegistryClients.forUrl(ServiceUnderTest.sharedRegistryUrl()), BankAccountEvent.getClassSchema());
        List<BankAccountEvent> events = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                "bootstrap.servers", TestBroker.shared().bootstrapServers(),
                "isolation.level", "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.EVENTS.name()).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    if (keys.test(record.key())) {
                        events.add(deserializer.deserialize(record.topic(), record.value()));
                    }
                }
            }
            assertTrue(partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p)),
                    "the event log was not read to its end " + end + " within " + READ_TIMEOUT.toSeconds() + " s");
        }
        return events;
    }
}
