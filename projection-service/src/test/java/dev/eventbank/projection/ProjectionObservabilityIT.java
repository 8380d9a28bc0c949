package dev.eventbank.projection;

import dev.eventbank.localkafka.LocalKafkaBroker;
import dev.eventbank.schemas.catalog.Topics;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What operators see of the projection: lag per partition and the dead-letter count on {@code /prometheus}, and the
 * correlation id echoed on every answer.
 */
class ProjectionObservabilityIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final Pattern DEAD_LETTERS = Pattern.compile(
            "(?m)^eventbank_projection_dead_letters_total\\{[^}]*topic=\"bank-account-events-dlq\"[^}]*} (\\S+)");

    private static EmbeddedServer server;
    private static String bootstrapServers;

    @BeforeAll
    static void startService() throws Exception {
        bootstrapServers = LocalKafkaBroker.shared().bootstrapServers();
        server = ApplicationContext.run(EmbeddedServer.class, Map.of(
                "micronaut.server.port", -1,
                "kafka.bootstrap.servers", bootstrapServers,
                "schema-registry.url", "mock://projection-observability-it-" + UUID.randomUUID(),
                "eventbank.streams.application-id", "projection-observability-it-" + UUID.randomUUID(),
                "eventbank.streams.state-dir", Files.createTempDirectory("projection-observability-it-").toString(),
                "eventbank.topics.partitions", 3));
    }

    @AfterAll
    static void stopService() {
        if (server != null) {
            server.getApplicationContext().close();
        }
    }

    @Test
    void shouldExposeLagPerPartitionAndCountDeadLettersWhenGarbageIsProjected() throws Exception {
        // given
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.EVENTS.name(), UUID.randomUUID().toString(),
                    "definitely not avro".getBytes(StandardCharsets.UTF_8))).get();
        }

        // when
        String scrape = awaitScrape(DEAD_LETTERS);

        // then
        Matcher deadLetters = DEAD_LETTERS.matcher(scrape);
        assertTrue(deadLetters.find() && Double.parseDouble(deadLetters.group(1)) >= 1, scrape);
        assertTrue(Pattern.compile("(?m)^eventbank_projection_lag_records\\{[^}]*partition=\"2\"[^}]*topic=\"bank-account-events\"")
                .matcher(scrape).find(), scrape);
        assertTrue(scrape.contains("kafka_stream_"), "Kafka Streams metrics bound");
    }

    @Test
    void shouldEchoTheCorrelationIdWhenARequestCarriesOne() throws Exception {
        // when
        HttpResponse<String> given = send("/iq/accounts/" + UUID.randomUUID() + "/events",
                Map.of("X-Correlation-Id", "corr-projection-1"));
        HttpResponse<String> generated = send("/iq/bank/totals", Map.of());

        // then
        assertEquals("corr-projection-1", given.headers().firstValue("X-Correlation-Id").orElse(null));
        assertTrue(generated.headers().firstValue("X-Correlation-Id").filter(id -> !id.isBlank()).isPresent());
    }

    /** The scrape once {@code sample} is positive there, or the last one after 60 s. */
    private static String awaitScrape(Pattern sample) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String scrape = get("/prometheus");
        while (System.nanoTime() < deadline) {
            Matcher found = sample.matcher(scrape);
            if (found.find() && Double.parseDouble(found.group(1)) >= 1) {
                return scrape;
            }
            Thread.sleep(200);
            scrape = get("/prometheus");
        }
        return scrape;
    }

    private static String get(String path) throws Exception {
        return send(path, Map.of()).body();
    }

    private static HttpResponse<String> send(String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + server.getPort() + path))
                .timeout(Duration.ofSeconds(30)).GET();
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
