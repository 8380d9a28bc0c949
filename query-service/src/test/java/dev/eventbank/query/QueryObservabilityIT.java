package dev.eventbank.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbank.localkafka.LocalKafkaBroker;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What operators see of the query service: request and Kafka Streams meters on {@code /prometheus}, the
 * readiness and liveness probes, and the correlation id echoed on every answer.
 */
class QueryObservabilityIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static EmbeddedServer server;

    @BeforeAll
    static void startService() throws Exception {
        server = ApplicationContext.run(EmbeddedServer.class, Map.of(
                "micronaut.server.port", -1,
                "kafka.bootstrap.servers", LocalKafkaBroker.shared().bootstrapServers(),
                "schema-registry.url", "mock://query-observability-it-" + UUID.randomUUID(),
                "eventbank.streams.application-id", "query-observability-it-" + UUID.randomUUID(),
                "eventbank.streams.state-dir", Files.createTempDirectory("query-observability-it-").toString(),
                "eventbank.topics.partitions", 3));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (get("/health", Map.of()).statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
    }

    @AfterAll
    static void stopService() {
        if (server != null) {
            server.getApplicationContext().close();
        }
    }

    @Test
    void shouldCountRequestsByRouteAndStatusWhenTheServiceIsCalled() throws Exception {
        // given: a route (relayed to the projection service, which may not run here) and an unknown account
        get("/bank/totals", Map.of());
        HttpResponse<String> missing = get("/accounts/" + UUID.randomUUID(), Map.of());

        // when
        String scrape = get("/prometheus", Map.of()).body();

        // then: Micronaut's http.server.requests timer, tagged by route template (404s share uri="NOT_FOUND")
        assertEquals(404, missing.statusCode(), missing.body());
        assertTrue(Pattern.compile("(?m)^http_server_requests_seconds_count\\{[^}]*uri=\"/bank/totals\"[^}]*} [1-9]")
                .matcher(scrape).find(), scrape);
        assertTrue(Pattern.compile("(?m)^http_server_requests_seconds_count\\{[^}]*status=\"404\"[^}]*} [1-9]")
                .matcher(scrape).find(), scrape);
        assertTrue(scrape.contains("kafka_stream_"), "Kafka Streams metrics bound");
    }

    @Test
    void shouldReportReadyAndLiveWhenTheViewIsRestored() throws Exception {
        // when
        HttpResponse<String> readiness = get("/health/readiness", Map.of());
        HttpResponse<String> liveness = get("/health/liveness", Map.of());

        // then
        assertEquals(200, readiness.statusCode(), readiness.body());
        assertEquals("UP", JSON.readTree(readiness.body()).path("status").asText(), readiness.body());
        assertEquals(200, liveness.statusCode(), liveness.body());
        assertEquals("UP", JSON.readTree(liveness.body()).path("status").asText(), liveness.body());
    }

    @Test
    void shouldEchoTheCorrelationIdWhenARequestCarriesOne() throws Exception {
        // when
        HttpResponse<String> given = get("/accounts/" + UUID.randomUUID(), Map.of("X-Correlation-Id", "corr-query-1"));
        HttpResponse<String> generated = get("/accounts/" + UUID.randomUUID(), Map.of());

        // then
        assertEquals("corr-query-1", given.headers().firstValue("X-Correlation-Id").orElse(null));
        assertTrue(generated.headers().firstValue("X-Correlation-Id").filter(id -> !id.isBlank()).isPresent());
    }

    private static HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + server.getPort() + path))
                .timeout(Duration.ofSeconds(30)).GET();
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
