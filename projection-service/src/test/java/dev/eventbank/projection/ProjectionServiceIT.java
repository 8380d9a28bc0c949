package dev.eventbank.projection;

import dev.eventbank.localkafka.LocalKafkaBroker;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.common.AccountStatus;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The projection service as deployed: Micronaut context, Kafka Streams exactly-once, a real broker. */
class ProjectionServiceIT {

    private static final String REGISTRY_URL = "mock://projection-it-" + UUID.randomUUID();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static ApplicationContext context;
    private static EmbeddedServer server;
    private static SchemaRegistryClient registry;
    private static String bootstrapServers;

    @BeforeAll
    static void startService() throws Exception {
        bootstrapServers = LocalKafkaBroker.shared().bootstrapServers();
        registry = SchemaRegistryClients.forUrl(REGISTRY_URL);
        server = ApplicationContext.run(EmbeddedServer.class, Map.of(
                "micronaut.server.port", -1,
                "kafka.bootstrap.servers", bootstrapServers,
                "schema-registry.url", REGISTRY_URL,
                "eventbank.streams.application-id", "projection-it-" + UUID.randomUUID(),
                "eventbank.streams.state-dir", Files.createTempDirectory("projection-it-").toString(),
                "eventbank.topics.partitions", 3));
        context = server.getApplicationContext();
    }

    @AfterAll
    static void stopService() {
        if (context != null) {
            context.close();
        }
    }

    @Test
    void shouldPublishAccountStatesReadCommittedAndDeadLetterGarbage() throws Exception {
        // given
        String accountId = UUID.randomUUID().toString();
        byte[] garbage = "definitely not avro".getBytes(StandardCharsets.UTF_8);
        var serializer = AvroSerdes.value(BankAccountEvent.class, registry).serializer();

        // when
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            for (BankAccountEvent event : List.of(Events.opened(accountId, "100.00"),
                    Events.deposited(accountId, 2, "50.25", "150.25"))) {
                producer.send(new ProducerRecord<>(Topics.EVENTS.name(), accountId,
                        serializer.serialize(Topics.EVENTS.name(), event)));
            }
            producer.send(new ProducerRecord<>(Topics.EVENTS.name(), accountId, garbage));
            producer.send(new ProducerRecord<>(Topics.EVENTS.name(), accountId,
                    serializer.serialize(Topics.EVENTS.name(), Events.withdrawn(accountId, 3, "0.25", "150.00"))));
            producer.flush();
        }

        // then
        var stateDeserializer = AvroSerdes.value(AccountState.class, registry).deserializer();
        List<ConsumerRecord<String, byte[]>> states = consume(Topics.STATE.name(), accountId, records -> records.size() >= 3);
        List<AccountState> published = states.stream()
                .map(r -> stateDeserializer.deserialize(Topics.STATE.name(), r.value())).toList();
        assertEquals(List.of(1L, 2L, 3L), published.stream().map(AccountState::getVersion).toList());
        assertEquals(new BigDecimal("150.0000"), published.get(2).getBalance());
        assertEquals(AccountStatus.OPEN, published.get(2).getStatus());

        List<ConsumerRecord<String, byte[]>> dead = consume(Topics.EVENTS_DLQ.name(), accountId, records -> !records.isEmpty());
        assertArrayEquals(garbage, dead.get(0).value());
        String reason = new String(dead.get(0).headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8);
        assertTrue(reason.contains("not Confluent wire format"), reason);
        // this test is the only writer of the event log in this JVM's broker: the garbage is the 3rd record
        assertEquals("2", new String(dead.get(0).headers().lastHeader(DeadLetterHeaders.SOURCE_OFFSET).value(),
                StandardCharsets.UTF_8));
    }

    @Test
    void shouldReportUpWhenStreamsIsRunning() throws Exception {
        // given
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + server.getPort() + "/health")).build();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();

        // when
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        while (response.statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        }

        // then
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().contains("\"UP\"") && response.body().contains("RUNNING"), response.body());
    }

    /** Reads {@code topic} read_committed from the beginning until the records of {@code key} satisfy {@code done}. */
    private static List<ConsumerRecord<String, byte[]>> consume(String topic, String key,
                                                                Predicate<List<ConsumerRecord<String, byte[]>>> done) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "projection-it-reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!done.test(records)) {
                if (System.nanoTime() > deadline) {
                    fail("only " + records.size() + " records of " + key + " on " + topic + " after " + TIMEOUT);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(record -> {
                    if (key.equals(record.key())) {
                        records.add(record);
                    }
                });
            }
        }
        return records;
    }
}
