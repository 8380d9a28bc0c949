package dev.eventbank.query;

import dev.eventbank.support.testing.Await;
import dev.eventbank.support.testing.Events;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.common.AccountStatus;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import dev.eventbank.support.testing.ServiceUnderTest;
import dev.eventbank.testbroker.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The fresh fold on a real broker: committed events only, folded in log order. */
class FreshFoldIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void shouldFoldCommittedEventsAheadOfTheStoreAndNeverAnAbortedOne() throws Exception {
        // given: the fold reading the event log, and a view that knows nothing yet
        String bootstrapServers = TestBroker.shared().bootstrapServers();
        SchemaRegistryClient registry = SchemaRegistryClients.forUrl(ServiceUnderTest.sharedRegistryUrl());
        createEventsTopic(bootstrapServers);
        Map<String, AccountState> view = new ConcurrentHashMap<>();
        List<String> told = new CopyOnWriteArrayList<>();
        String accountId = UUID.randomUUID().toString();
        try (FreshFold fold = new FreshFold(() -> new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new ByteArrayDeserializer()),
                AvroSerdes.value(BankAccountEvent.class, registry).deserializer(), view::get, 1000, (id, version) -> {
                    if (id.equals(accountId)) {
                        told.add("v" + version);
                    }
                })) {
            fold.start();
            Await.until(fold::reading, "the fold reads the log", TIMEOUT);

            // when: the account is opened and deposited to; an aborted transaction closes it; two more commit
            Serializer<BankAccountEvent> serializer = AvroSerdes.value(BankAccountEvent.class, registry).serializer();
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG, "fresh-fold-it-" + accountId),
                    new StringSerializer(), new ByteArraySerializer())) {
                producer.initTransactions();
                producer.beginTransaction();
                send(producer, serializer, Events.opened(accountId, "100.00"));
                producer.commitTransaction();
                producer.beginTransaction();
                send(producer, serializer, Events.closed(accountId, 2));
                producer.flush();
                producer.abortTransaction();
                producer.beginTransaction();
                send(producer, serializer, Events.deposited(accountId, 2, "10.00", "110.00"));
                send(producer, serializer, Events.withdrawn(accountId, 3, "0.50", "109.50"));
                producer.commitTransaction();
            }

            // then: the fold has version 3, open, with the committed events' balance; the aborted close never counted
            Await.until(() -> fold.ahead(accountId) != null && fold.ahead(accountId).getVersion() == 3, "version 3 folded", TIMEOUT);
            AccountState ahead = fold.ahead(accountId);
            assertEquals(AccountStatus.OPEN, ahead.getStatus());
            assertEquals(new BigDecimal("109.5000"), ahead.getBalance());
            assertEquals(List.of("v1", "v2", "v3"), told);

            // then: once the view has version 3 the fold is not ahead any more
            fold.caughtUp(accountId, 3);
            assertEquals(null, fold.ahead(accountId));
        }
    }

    @Test
    void shouldStartReadingOnceItsTopicIsCreated() throws Exception {
        // given: the fold started before its topic exists (a query service up before the command service made the
        // event log); a topic of its own, so that the shared broker's event log does not already exist
        String bootstrapServers = TestBroker.shared().bootstrapServers();
        SchemaRegistryClient registry = SchemaRegistryClients.forUrl(ServiceUnderTest.sharedRegistryUrl());
        String topic = "fresh-fold-it-" + UUID.randomUUID();
        String accountId = UUID.randomUUID().toString();
        AtomicInteger attempts = new AtomicInteger();
        try (FreshFold fold = new FreshFold(topic, () -> {
            attempts.incrementAndGet();
            return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new ByteArrayDeserializer());
        }, AvroSerdes.value(BankAccountEvent.class, registry).deserializer(), id -> null, 1000, (id, version) -> {
        })) {
            fold.start();
            Await.until(() -> attempts.get() >= 1, "a first attempt", TIMEOUT);
            Thread.sleep(500);
            assertFalse(fold.reading(), "a topic that does not exist is not read (no partition to read)");

            // when: the topic is created and an account opened in it
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
                admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
            }
            Await.until(fold::reading, "the fold reads the topic once it exists", TIMEOUT);
            Serializer<BankAccountEvent> serializer = AvroSerdes.value(BankAccountEvent.class, registry).serializer();
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), new StringSerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(topic, accountId,
                        serializer.serialize(Topics.EVENTS.name(), Events.opened(accountId, "5.00")))).get();
            }

            // then: it is folded
            Await.until(() -> fold.ahead(accountId) != null, "the opening folded", TIMEOUT);
            assertEquals(1, fold.ahead(accountId).getVersion());
        }
    }

    private static void send(KafkaProducer<String, byte[]> producer, Serializer<BankAccountEvent> serializer,
                             BankAccountEvent event) {
        producer.send(new ProducerRecord<>(Topics.EVENTS.name(), event.getAggregateId(),
                serializer.serialize(Topics.EVENTS.name(), event)));
    }

    private static void createEventsTopic(String bootstrapServers) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(Topics.EVENTS.name(), 3, (short) 1))).all().get();
        } catch (ExecutionException exists) {
            if (!(exists.getCause() instanceof TopicExistsException)) {
                throw exists;
            }
        }
    }
}
