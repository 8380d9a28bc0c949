package dev.eventbank.localstack;

import dev.eventbank.localkafka.KafkaCredentials;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.events.AccountOpened;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.serde.AvroDeserializer;
import dev.eventbank.schemas.serde.HttpSchemaRegistryClient;
import dev.eventbank.testbroker.DecidedOffsets;
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
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The tests' judge: the event log read as another team would, read_committed from the start to its current end,
 * every record checked to be in Confluent's wire format and decoded through the stack's registry.
 *
 * <p>"Its current end" is the end once every transaction written before the call is decided
 * ({@link DecidedOffsets}): a command's answer comes before its commit markers, so a read right after it could
 * otherwise stop short of the command's events.
 */
final class EventLog {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);
    /** At most this long for open transactions to be decided; milliseconds unless a writer hangs in one. */
    private static final Duration DECIDED_TIMEOUT = Duration.ofSeconds(10);

    private EventLog() {
    }

    /** One account's events in log order. */
    static List<BankAccountEvent> eventsOf(LocalStack stack, String account) {
        return eventsByAccount(stack, Set.of(account)).getOrDefault(account, List.of());
    }

    /** The events of {@code accounts}, each account's in log order. */
    static Map<String, List<BankAccountEvent>> eventsByAccount(LocalStack stack, Set<String> accounts) {
        AvroDeserializer<BankAccountEvent> deserializer = deserializer(stack);
        Map<String, List<BankAccountEvent>> events = new HashMap<>();
        read(stack, "read_committed", record -> {
            assertEquals(0, record.value()[0], "Confluent magic byte");
            if (accounts.contains(record.key())) {
                events.computeIfAbsent(record.key(), key -> new ArrayList<>())
                        .add(deserializer.deserialize(record.topic(), record.value()));
            }
        });
        return events;
    }

    /** The events, in log order, of the commands {@code commandIds} (each event carries its command's id). */
    static List<BankAccountEvent> eventsOfCommands(LocalStack stack, Set<String> commandIds) {
        AvroDeserializer<BankAccountEvent> deserializer = deserializer(stack);
        List<BankAccountEvent> events = new ArrayList<>();
        read(stack, "read_committed", record -> {
            BankAccountEvent event = deserializer.deserialize(record.topic(), record.value());
            if (commandIds.contains(event.getCommandId())) {
                events.add(event);
            }
        });
        return events;
    }

    /**
     * The ids of the accounts whose AccountOpened carries {@code accountNumber}, in log order; numbers compared as
     * the command service compares them (without case, spaces and dashes).
     */
    static List<String> accountsOpenedWith(LocalStack stack, String accountNumber) {
        String wanted = canonical(accountNumber);
        AvroDeserializer<BankAccountEvent> deserializer = deserializer(stack);
        List<String> accounts = new ArrayList<>();
        read(stack, "read_committed", record -> {
            BankAccountEvent event = deserializer.deserialize(record.topic(), record.value());
            if (event.getPayload() instanceof AccountOpened opened && canonical(opened.getAccountNumber()).equals(wanted)) {
                accounts.add(event.getAggregateId());
            }
        });
        return accounts;
    }

    /**
     * How many records of the log a read_committed reader does not see: those of aborted transactions (a fenced
     * zombie's late writes, a crashed writer's open transaction aborted by its successor), up to the decided end.
     * A transaction still open after {@link #DECIDED_TIMEOUT} is past that end and not counted. For reports: it
     * shows that a fault test did make a writer lose its transaction.
     */
    static long abortedRecords(LocalStack stack) {
        return recordCount(stack, "read_uncommitted") - recordCount(stack, "read_committed");
    }

    private static long recordCount(LocalStack stack, String isolation) {
        long[] count = {0};
        read(stack, isolation, record -> count[0]++);
        return count[0];
    }

    /**
     * Hands {@code each} every record of the log from its start to its decided end, read with {@code isolation},
     * partition by partition in log order; fails the test if that takes longer than {@link #READ_TIMEOUT}.
     */
    private static void read(LocalStack stack, String isolation, Consumer<ConsumerRecord<String, byte[]>> each) {
        Map<String, Object> config = stack.kafkaClientProperties(KafkaCredentials.ADMIN);
        Map<String, Object> consumerConfig = new HashMap<>(config);
        // as the stack's super user: the test looks at the log, it is no service
        consumerConfig.put("isolation.level", isolation);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.EVENTS.name()).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = DecidedOffsets.of(config, partitions, DECIDED_TIMEOUT);
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the event log not read " + isolation + " to its end " + end + " in "
                            + READ_TIMEOUT.toSeconds() + " s");
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.offset() < end.get(new TopicPartition(record.topic(), record.partition()))) {
                        each.accept(record);
                    }
                }
            }
        }
    }

    private static AvroDeserializer<BankAccountEvent> deserializer(LocalStack stack) {
        return new AvroDeserializer<>(new HttpSchemaRegistryClient(stack.registryUrl()), BankAccountEvent.getClassSchema());
    }

    private static String canonical(String accountNumber) {
        return accountNumber.replace(" ", "").replace("-", "").toUpperCase(java.util.Locale.ROOT);
    }
}
