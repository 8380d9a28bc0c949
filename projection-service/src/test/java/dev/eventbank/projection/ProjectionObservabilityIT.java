package dev.eventbank.projection;

import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.support.testing.ServiceUnderTest;
import dev.eventbank.testbroker.TestBroker;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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

    private static final Pattern DEAD_LETTERS = Pattern.compile(
            "(?m)^eventbank_projection_dead_letters_total\\{[^}]*topic=\"bank-account-events-dlq\"[^}]*} (\\S+)");

    private static ServiceUnderTest service;
    private static String bootstrapServers;

    @BeforeAll
    static void startService() throws Exception {
        bootstrapServers = TestBroker.shared().bootstrapServers();
        service = ServiceUnderTest.start("projection-observability-it", TestSecurity.internalCredentials());
    }

    @AfterAll
    static void stopService() {
        if (service != null) {
            service.close();
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
        HttpResponse<String> given = service.get(InternalApi.V1 + "/accounts/" + UUID.randomUUID() + "/events",
                Map.of("X-Correlation-Id", "corr-projection-1", "Authorization", TestSecurity.internalBasic()));
        HttpResponse<String> generated = service.get(InternalApi.V1 + "/bank/totals",
                Map.of("Authorization", TestSecurity.internalBasic()));

        // then
        assertEquals("corr-projection-1", given.headers().firstValue("X-Correlation-Id").orElse(null));
        assertTrue(generated.headers().firstValue("X-Correlation-Id").filter(id -> !id.isBlank()).isPresent());
    }

    @Test
    void shouldAnswer414ProblemsForAnOverLongPathOrQueryAnd431ForOverLargeHeaders() throws Exception {
        // when: a path of 9,000 characters, a query of 9,000, headers of 20,000 bytes (limits: 4096 and 8 KB)
        Map<String, String> operator = Map.of("Authorization", TestSecurity.internalBasic());
        HttpResponse<String> longPath = service.get(InternalApi.V1 + "/accounts/" + "a".repeat(9_000) + "/events", operator);
        HttpResponse<String> longQuery = service.get(InternalApi.V1 + "/bank/totals?at=" + "q".repeat(9_000), operator);
        HttpResponse<String> bigHeaders = service.get(InternalApi.V1 + "/bank/totals",
                Map.of("Authorization", TestSecurity.internalBasic(), "X-Filler", "f".repeat(20_000)));

        // then: problem+json saying what to shorten, never 413 (about bodies)
        for (HttpResponse<String> response : java.util.List.of(longPath, longQuery)) {
            assertEquals(414, response.statusCode(), response.body());
            assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
            assertTrue(response.body().contains("\"type\":\"/problems/uri-too-long\"")
                    && response.body().contains("shorten the URL"), response.body());
        }
        assertEquals(431, bigHeaders.statusCode(), bigHeaders.body());
        assertTrue(bigHeaders.body().contains("\"type\":\"/problems/header-fields-too-large\""), bigHeaders.body());
    }

    /** The scrape once {@code sample} is positive there, or the last one after 60 s. */
    private static String awaitScrape(Pattern sample) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String scrape = service.scrape();
        while (System.nanoTime() < deadline) {
            Matcher found = sample.matcher(scrape);
            if (found.find() && Double.parseDouble(found.group(1)) >= 1) {
                return scrape;
            }
            Thread.sleep(200);
            scrape = service.scrape();
        }
        return scrape;
    }
}
