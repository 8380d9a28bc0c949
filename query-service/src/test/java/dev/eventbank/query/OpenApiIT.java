package dev.eventbank.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.eventbank.support.testing.ServiceUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the query service serves besides the API: the OpenAPI document and Swagger UI (generated at compile time),
 * the event browser page, and the projection lag relayed from a stand-in projection service's metrics endpoint
 * (under the caller's correlation id).
 * The static mappings must leave unknown routes and bad requests to the problem+json handlers.
 */
class OpenApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The {@code X-Correlation-Id} of each lag request the stand-in projection received. */
    private static final List<String> LAG_CORRELATION_IDS = new CopyOnWriteArrayList<>();

    private static HttpServer projection;
    private static ServiceUnderTest service;

    @BeforeAll
    static void startService() throws Exception {
        // a stand-in projection service: two gauges as Micronaut's metrics endpoint answers them
        projection = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        projection.createContext("/metrics/eventbank.projection.lag", exchange -> {
            LAG_CORRELATION_IDS.add(String.valueOf(exchange.getRequestHeaders().getFirst("X-Correlation-Id")));
            answer(exchange,
                "{\"name\":\"eventbank.projection.lag\",\"measurements\":[{\"statistic\":\"VALUE\",\"value\":7.0}]}");
        });
        projection.createContext("/metrics/eventbank.projection.lag.ms", exchange -> answer(exchange,
                "{\"name\":\"eventbank.projection.lag.ms\",\"measurements\":[{\"statistic\":\"VALUE\",\"value\":NaN}]}"));
        projection.start();
        service = ServiceUnderTest.start("query-openapi-it",
                Map.of("eventbank.query.projection-url", "http://localhost:" + projection.getAddress().getPort()));
    }

    @AfterAll
    static void stopService() {
        if (service != null) {
            service.close();
        }
        if (projection != null) {
            projection.stop(0);
        }
    }

    @Test
    void shouldListTheQueryRoutesWhenTheSpecIsFetched() throws Exception {
        // when
        HttpResponse<String> spec = service.get("/swagger/query-service-1.0.yml");

        // then
        assertEquals(200, spec.statusCode());
        for (String expected : new String[]{"  /accounts:", "  /accounts/{id}:", "  /accounts/{id}/events:",
                "  /bank/totals:", "  /projection/lag:", "name: minVersion", "name: asOfVersion", "name: accountType",
                "application/problem+json", "\"503\":", "ETag:", "bearerFormat: JWT"}) {
            assertTrue(spec.body().contains(expected), "the spec lacks " + expected);
        }
    }

    @Test
    void shouldServeTheSwaggerUiAndTheBrowserPagesWhenTheyAreOpened() throws Exception {
        for (String path : new String[]{"/swagger-ui/index.html", "/browser/", "/browser/index.html"}) {
            // when
            HttpResponse<String> page = service.get(path);

            // then
            assertEquals(200, page.statusCode(), path);
            assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), path);
        }
        assertTrue(service.get("/browser/").body().contains("version-slider"));
    }

    @Test
    void shouldRelayTheProjectionLagWhenAsked() throws Exception {
        // when
        HttpResponse<String> response = service.get("/projection/lag", Map.of("X-Correlation-Id", "corr-lag-1"));

        // then: 7 records behind; the NaN milliseconds are unknown; the projection was asked under our id
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(LAG_CORRELATION_IDS.contains("corr-lag-1"), LAG_CORRELATION_IDS.toString());
        JsonNode lag = JSON.readTree(response.body());
        assertEquals(7, lag.path("records").asLong());
        assertTrue(lag.has("ms") && lag.get("ms").isNull(), response.body());
    }

    @Test
    void shouldStillAnswerProblemsWhenARouteIsUnknownOrAParameterBad() throws Exception {
        // when
        HttpResponse<String> unknownFile = service.get("/swagger-ui/nope.js");
        HttpResponse<String> unknownRoute = service.get("/nope");
        HttpResponse<String> badLimit = service.get("/accounts?limit=abc");

        // then
        assertEquals(404, unknownFile.statusCode());
        assertEquals("application/problem+json", unknownFile.headers().firstValue("Content-Type").orElse(""));
        assertEquals(404, unknownRoute.statusCode());
        assertEquals("application/problem+json", unknownRoute.headers().firstValue("Content-Type").orElse(""));
        assertEquals(400, badLimit.statusCode());
        assertEquals("application/problem+json", badLimit.headers().firstValue("Content-Type").orElse(""));
    }

    @Test
    void shouldShowProblemExamplesThatTheServiceReallyAnswers() throws Exception {
        // given
        String spec = service.get("/swagger/query-service-1.0.yml").body();
        JsonNode tooLarge = JSON.readTree(service.get("/accounts?limit=900").body());

        // when / then: the 400 example is this answer, and every example's type is from the catalogue
        String detail = tooLarge.path("detail").asText();
        // as YAML may write it: plain or double-quoted, or single-quoted with its quotes doubled
        assertTrue(spec.contains(detail) || spec.contains(detail.replace("'", "''")),
                "the spec's 400 example is not " + tooLarge);
        assertTrue(spec.contains("type: " + tooLarge.path("type").asText()), spec);
        assertFalse(spec.contains("about:blank"), "an example with a type the service never answers");
    }

    private static void answer(com.sun.net.httpserver.HttpExchange exchange, String body) throws java.io.IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
