package dev.eventbank.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.eventbank.localkafka.LocalKafkaBroker;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the query service serves besides the API: the OpenAPI document and Swagger UI (generated at compile time),
 * the event browser page, and the projection lag relayed from a stand-in projection service's metrics endpoint
 * (under the caller's correlation id).
 * The static mappings must leave unknown routes and bad requests to the problem+json handlers.
 */
class OpenApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** The {@code X-Correlation-Id} of each lag request the stand-in projection received. */
    private static final List<String> LAG_CORRELATION_IDS = new CopyOnWriteArrayList<>();

    private static HttpServer projection;
    private static EmbeddedServer server;

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
        server = ApplicationContext.run(EmbeddedServer.class, Map.of(
                "micronaut.server.port", -1,
                "kafka.bootstrap.servers", LocalKafkaBroker.shared().bootstrapServers(),
                "schema-registry.url", "mock://query-openapi-it-" + UUID.randomUUID(),
                "eventbank.streams.application-id", "query-openapi-it-" + UUID.randomUUID(),
                "eventbank.streams.state-dir", Files.createTempDirectory("query-openapi-it-").toString(),
                "eventbank.topics.partitions", 3,
                "eventbank.query.projection-url", "http://localhost:" + projection.getAddress().getPort()));
    }

    @AfterAll
    static void stopService() {
        if (server != null) {
            server.getApplicationContext().close();
        }
        if (projection != null) {
            projection.stop(0);
        }
    }

    @Test
    void shouldListTheQueryRoutesWhenTheSpecIsFetched() throws Exception {
        // when
        HttpResponse<String> spec = get("/swagger/query-service-1.0.yml");

        // then
        assertEquals(200, spec.statusCode());
        for (String expected : new String[]{"  /accounts:", "  /accounts/{id}:", "  /accounts/{id}/events:",
                "  /bank/totals:", "  /projection/lag:", "name: minVersion", "name: asOfVersion",
                "application/problem+json", "\"503\":", "ETag:"}) {
            assertTrue(spec.body().contains(expected), "the spec lacks " + expected);
        }
    }

    @Test
    void shouldServeTheSwaggerUiAndTheBrowserPagesWhenTheyAreOpened() throws Exception {
        for (String path : new String[]{"/swagger-ui/index.html", "/browser/", "/browser/index.html"}) {
            // when
            HttpResponse<String> page = get(path);

            // then
            assertEquals(200, page.statusCode(), path);
            assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), path);
        }
        assertTrue(get("/browser/").body().contains("version-slider"));
    }

    @Test
    void shouldRelayTheProjectionLagWhenAsked() throws Exception {
        // when
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + server.getPort() + "/projection/lag"))
                .header("X-Correlation-Id", "corr-lag-1").GET().build(), HttpResponse.BodyHandlers.ofString());

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
        HttpResponse<String> unknownFile = get("/swagger-ui/nope.js");
        HttpResponse<String> unknownRoute = get("/nope");
        HttpResponse<String> badLimit = get("/accounts?limit=abc");

        // then
        assertEquals(404, unknownFile.statusCode());
        assertEquals("application/problem+json", unknownFile.headers().firstValue("Content-Type").orElse(""));
        assertEquals(404, unknownRoute.statusCode());
        assertEquals("application/problem+json", unknownRoute.headers().firstValue("Content-Type").orElse(""));
        assertEquals(400, badLimit.statusCode());
        assertEquals("application/problem+json", badLimit.headers().firstValue("Content-Type").orElse(""));
    }

    private static void answer(com.sun.net.httpserver.HttpExchange exchange, String body) throws java.io.IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + server.getPort() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
