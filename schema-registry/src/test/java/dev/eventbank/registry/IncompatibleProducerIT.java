package dev.eventbank.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbank.schemas.events.AccountClosed;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.serde.AvroSerializer;
import dev.eventbank.schemas.serde.HttpSchemaRegistryClient;
import dev.eventbank.testbroker.TestBroker;
import io.micronaut.runtime.server.EmbeddedServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 5, item 3: the registry enforces the subject's own compatibility level, and our producer path (the project's
 * AvroSerializer in a real KafkaProducer) fails clearly on an incompatible schema and appends nothing.
 */
class IncompatibleProducerIT {

    private static final String VND = "application/vnd.schemaregistry.v1+json";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String bootstrapServers;
    private static EmbeddedServer server;

    @BeforeAll
    static void startRegistry() {
        bootstrapServers = TestBroker.shared().bootstrapServers();
        server = TestRegistries.start("_schemas-incompatible-" + UUID.randomUUID());
    }

    @AfterAll
    static void stopRegistry() {
        if (server != null) {
            server.getApplicationContext().close();
        }
    }

    @Test
    void shouldFailTheSendAndAppendNothingWhenTheRegistryRejectsTheSchema() throws Exception {
        // given a topic whose subject holds an envelope the current one cannot follow (eventId a long), at level FULL
        String topic = "incompatible-events-" + UUID.randomUUID();
        String subject = topic + "-value";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        String earlier = BankAccountEvent.getClassSchema().toString()
                .replaceFirst("\\{\"name\":\"eventId\",\"type\":\\{\"type\":\"string\",\"avro.java.string\":\"String\"}",
                        "{\"name\":\"eventId\",\"type\":\"long\"");
        assertTrue(earlier.contains("{\"name\":\"eventId\",\"type\":\"long\""), earlier);
        assertEquals(200, send("POST", "/subjects/" + subject + "/versions", Schemas.body(earlier)).statusCode());
        HttpResponse<String> level = send("PUT", "/config/" + subject, "{\"compatibility\":\"FULL\"}");
        assertEquals("{\"compatibility\":\"FULL\"}", level.body());
        assertEquals("{\"compatibilityLevel\":\"FULL\"}", send("GET", "/config/" + subject, null).body());

        // when
        SerializationException error;
        try (KafkaProducer<String, BankAccountEvent> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrapServers, "acks", "all", "enable.idempotence", true),
                new StringSerializer(), new AvroSerializer<>(new HttpSchemaRegistryClient(server.getURL().toString(),
                        Duration.ofSeconds(10), Optional.of(TestRegistries.WRITER_USER_INFO)), false))) {
            error = assertThrows(SerializationException.class,
                    () -> producer.send(new ProducerRecord<>(topic, "account-1", closed())).get());
            producer.flush();
        }

        // then: the error names the subject and the registry's 409
        assertTrue(error.getMessage().contains("under subject " + subject), error.getMessage());
        assertTrue(error.getMessage().contains("schema registry answered 409"), error.getMessage());
        assertTrue(error.getMessage().contains("eventId"), error.getMessage());
        // and the registry answers Confluent's body for the same registration
        HttpResponse<String> direct = send("POST", "/subjects/" + subject + "/versions",
                Schemas.body(BankAccountEvent.getClassSchema().toString()));
        assertEquals(409, direct.statusCode());
        JsonNode body = JSON.readTree(direct.body());
        assertEquals(409, body.path("error_code").asInt());
        assertTrue(body.path("message").asText().startsWith("Schema being registered is incompatible with an earlier "
                + "schema for subject \"" + subject + "\""), direct.body());
        assertEquals("[1]", send("GET", "/subjects/" + subject + "/versions", null).body());
        // and nothing reached the topic, committed or not
        TopicPartition partition = new TopicPartition(topic, 0);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrapServers,
                "isolation.level", "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            assertEquals(0L, consumer.endOffsets(List.of(partition)).get(partition));
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            assertTrue(consumer.poll(Duration.ofMillis(500)).isEmpty());
        }
    }

    private static BankAccountEvent closed() {
        return BankAccountEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setAggregateId("account-1")
                .setVersion(2).setEventType("AccountClosed").setOccurredAt(Instant.parse("2026-02-01T10:00:00Z"))
                .setCommandId("c-1").setCorrelationId("r-1").setPayload(new AccountClosed("test")).build();
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + server.getPort() + path))
                .header("Content-Type", VND).header("Accept", VND).timeout(Duration.ofSeconds(30));
        TestRegistries.asWriter(request);
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
