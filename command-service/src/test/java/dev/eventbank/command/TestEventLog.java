package dev.eventbank.command;

import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.serde.AvroDeserializer;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import dev.eventbank.support.testing.ServiceUnderTest;
import dev.eventbank.testbroker.DecidedOffsets;
import dev.eventbank.testbroker.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The event log as the command service's integration tests check it: {@code bank-account-events} on the JVM's
 * shared test broker, read read_committed up to its end at the time of the call, decoded with the shared registry;
 * the read fails the test when it does not reach that end within 30 s.
 *
 * <p>A call first waits (at most 10 s) until every transaction that had written to the log before it is decided:
 * a command's 2xx comes when its commit returns, and the commit markers follow it (transactions version 2), so a
 * read_committed read right after a 2xx could otherwise miss that command's events.
 *
 * <p>One consumer per JVM reads on from where the last call stopped, and the events read are kept: the log only
 * grows and its events never change, so a call costs the events written since the last one. (A consumer per call
 * read the whole shared log from its start, about half a second each: SecurityIT's matrix spent 100 s on it.)
 */
final class TestEventLog {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    /** Every event read so far, in log order per partition, keyed by account (the record key). */
    private static final Map<String, List<BankAccountEvent>> BY_ACCOUNT = new HashMap<>();
    private static final List<BankAccountEvent> ALL = new ArrayList<>();
    private static final Duration DECIDED_TIMEOUT = Duration.ofSeconds(10);
    private static KafkaConsumer<String, byte[]> consumer;
    /** for the log's decided end */
    private static Admin admin;
    private static List<TopicPartition> partitions;
    private static AvroDeserializer<BankAccountEvent> deserializer;

    private TestEventLog() {
    }

    /** Every event of the log, in log order per partition. */
    static synchronized List<BankAccountEvent> events() {
        readToEnd();
        return List.copyOf(ALL);
    }

    /** The events of {@code account}, in log order (its versions in order: they share one partition). */
    static synchronized List<BankAccountEvent> eventsOf(String account) {
        readToEnd();
        return List.copyOf(BY_ACCOUNT.getOrDefault(account, List.of()));
    }

    /** The events of {@code account} once there are at least {@code count}, or what there is after 10 s. */
    static List<BankAccountEvent> eventsOf(String account, long count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<BankAccountEvent> events = eventsOf(account);
        while (events.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
            events = eventsOf(account);
        }
        return events;
    }

    /** Reads from where the last call stopped to the log's end (its last stable offsets) as of now. */
    private static void readToEnd() {
        if (consumer == null) {
            deserializer = new AvroDeserializer<>(SchemaRegistryClients.forUrl(ServiceUnderTest.sharedRegistryUrl()),
                    BankAccountEvent.getClassSchema());
            consumer = new KafkaConsumer<>(Map.of(
                    "bootstrap.servers", TestBroker.shared().bootstrapServers(),
                    "isolation.level", "read_committed",
                    // a call ends as soon as it reached the end: no reason to wait for more bytes
                    "fetch.max.wait.ms", 10),
                    new StringDeserializer(), new ByteArrayDeserializer());
            partitions = consumer.partitionsFor(Topics.EVENTS.name()).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            admin = Admin.create(Map.of("bootstrap.servers", TestBroker.shared().bootstrapServers()));
        }
        Map<TopicPartition, Long> end = decidedEnd();
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                BankAccountEvent event = deserializer.deserialize(record.topic(), record.value());
                ALL.add(event);
                BY_ACCOUNT.computeIfAbsent(record.key(), key -> new ArrayList<>()).add(event);
            }
        }
        assertTrue(partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p)),
                "the event log was not read to its end " + end + " within " + READ_TIMEOUT.toSeconds() + " s");
    }

    /** The log's end once every transaction written to it before the call is decided ({@link DecidedOffsets}). */
    private static Map<TopicPartition, Long> decidedEnd() {
        return DecidedOffsets.of(admin, partitions, DECIDED_TIMEOUT);
    }
}
