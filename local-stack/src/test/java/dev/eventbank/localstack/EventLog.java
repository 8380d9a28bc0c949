package dev.eventbank.localstack;

import dev.eventbank.localkafka.KafkaCredentials;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.events.AccountOpened;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.serde.AvroDeserializer;
import dev.eventbank.schemas.serde.HttpSchemaRegistryClient;
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
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The tests' judge: the event log read as another team would, read_committed from the start to its current end,
 * every record checked to be in Confluent's wire format and decoded through the stack's registry.
 */
final class EventLog {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    private EventLog() {
    }

    /** One account's events in log order. */
    static List<BankAccountEvent> eventsOf(LocalStack stack, String account) {
        return eventsByAccount(stack, Set.of(account)).getOrDefault(account, List.of());
    }

    /** The events of {@code accounts}, each account's in log order. */
    static Map<String, List<BankAccountEvent>> eventsByAccount(LocalStack stack, Set<String> accounts) {
        AvroDeserializer<BankAccountEvent> deserializer = new AvroDeserializer<>(
                new HttpSchemaRegistryClient(stack.registryUrl()), BankAccountEvent.getClassSchema());
        Map<String, List<BankAccountEvent>> events = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(admin(stack, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.EVENTS.name()).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the event log not read to its end " + end + " in "
                            + READ_TIMEOUT.toSeconds() + " s");
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    assertEquals(0, record.value()[0], "Confluent magic byte");
                    if (accounts.contains(record.key())) {
                        events.computeIfAbsent(record.key(), key -> new ArrayList<>())
                                .add(deserializer.deserialize(record.topic(), record.value()));
                    }
                }
            }
        }
        return events;
    }

    /**
     * The ids of the accounts whose AccountOpened carries {@code accountNumber}, in log order; numbers compared as
     * the command service compares them (without case, spaces and dashes).
     */
    static List<String> accountsOpenedWith(LocalStack stack, String accountNumber) {
        String wanted = canonical(accountNumber);
        AvroDeserializer<BankAccountEvent> deserializer = new AvroDeserializer<>(
                new HttpSchemaRegistryClient(stack.registryUrl()), BankAccountEvent.getClassSchema());
        List<String> accounts = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(admin(stack, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.EVENTS.name()).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the event log not read to its end " + end + " in "
                            + READ_TIMEOUT.toSeconds() + " s");
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    BankAccountEvent event = deserializer.deserialize(record.topic(), record.value());
                    if (event.getPayload() instanceof AccountOpened opened
                            && canonical(opened.getAccountNumber()).equals(wanted)) {
                        accounts.add(event.getAggregateId());
                    }
                }
            }
        }
        return accounts;
    }

    /** A consumer's settings as the stack's super user (the test looks at the log, it is no service). */
    private static Map<String, Object> admin(LocalStack stack, String isolation) {
        Map<String, Object> config = stack.kafkaClientProperties(KafkaCredentials.ADMIN);
        config.put("isolation.level", isolation);
        return config;
    }

    private static String canonical(String accountNumber) {
        return accountNumber.replace(" ", "").replace("-", "").toUpperCase(java.util.Locale.ROOT);
    }

    /**
     * How many records of the log a read_committed reader does not see: those of aborted transactions (a fenced
     * zombie's late writes, a crashed writer's open transaction aborted by its successor) and of any transaction
     * still open. For reports: it shows that a fault test did make a writer lose its transaction.
     */
    static long abortedRecords(LocalStack stack) {
        return recordCount(stack, "read_uncommitted") - recordCount(stack, "read_committed");
    }

    private static long recordCount(LocalStack stack, String isolation) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(admin(stack, isolation),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.EVENTS.name()).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            long count = 0;
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the event log not read " + isolation + " to its end in "
                            + READ_TIMEOUT.toSeconds() + " s");
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.offset() < end.get(new TopicPartition(record.topic(), record.partition()))) {
                        count++;
                    }
                }
            }
            return count;
        }
    }
}
