package dev.eventbank.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbank.support.testing.ServiceUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
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
    private static ServiceUnderTest service;

    @BeforeAll
    static void startService() throws Exception {
        service = ServiceUnderTest.start("query-observability-it").awaitHealthy(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stopService() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void shouldCountRequestsByRouteAndStatusWhenTheServiceIsCalled() throws Exception {
        // given: a route (relayed to the projection service, which may not run here) and an unknown account
        service.get("/bank/totals", Map.of());
        HttpResponse<String> missing = service.get("/accounts/" + UUID.randomUUID(), Map.of());

        // when
        String scrape = service.scrape();

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
        HttpResponse<String> readiness = service.get("/health/readiness", Map.of());
        HttpResponse<String> liveness = service.get("/health/liveness", Map.of());

        // then
        assertEquals(200, readiness.statusCode(), readiness.body());
        assertEquals("UP", JSON.readTree(readiness.body()).path("status").asText(), readiness.body());
        assertEquals(200, liveness.statusCode(), liveness.body());
        assertEquals("UP", JSON.readTree(liveness.body()).path("status").asText(), liveness.body());
    }

    @Test
    void shouldEchoTheCorrelationIdWhenARequestCarriesOne() throws Exception {
        // when
        HttpResponse<String> given = service.get("/accounts/" + UUID.randomUUID(), Map.of("X-Correlation-Id", "corr-query-1"));
        HttpResponse<String> generated = service.get("/accounts/" + UUID.randomUUID(), Map.of());

        // then
        assertEquals("corr-query-1", given.headers().firstValue("X-Correlation-Id").orElse(null));
        assertTrue(generated.headers().firstValue("X-Correlation-Id").filter(id -> !id.isBlank()).isPresent());
    }
}
