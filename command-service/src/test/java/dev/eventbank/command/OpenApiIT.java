package dev.eventbank.command;

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
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OpenAPI document and its Swagger UI page as served by the running service (generated at compile time by
 * micronaut-openapi, mapped as static resources), and the problem+json answers that the static mappings must
 * leave alone.
 */
class OpenApiIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static EmbeddedServer server;

    @BeforeAll
    static void startService() throws Exception {
        server = ApplicationContext.run(EmbeddedServer.class, Map.of(
                "micronaut.server.port", -1,
                "kafka.bootstrap.servers", LocalKafkaBroker.shared().bootstrapServers(),
                "schema-registry.url", "mock://openapi-it-" + UUID.randomUUID(),
                "eventbank.streams.application-id", "openapi-it-" + UUID.randomUUID(),
                "eventbank.streams.state-dir", Files.createTempDirectory("openapi-it-").toString(),
                "eventbank.topics.partitions", 3));
    }

    @AfterAll
    static void stopService() {
        if (server != null) {
            server.getApplicationContext().close();
        }
    }

    @Test
    void shouldListTheCommandRoutesWithHeadersAndProblemsWhenTheSpecIsFetched() throws Exception {
        // when
        HttpResponse<String> spec = get("/swagger/command-service-1.0.yml");

        // then
        assertEquals(200, spec.statusCode());
        for (String expected : new String[]{"  /accounts:", "  /accounts/{id}/deposits:", "  /accounts/{id}/withdrawals:",
                "  /accounts/{id}/close:", "  /commands/{commandId}:", "name: If-Match", "name: Idempotency-Key",
                "application/problem+json", "\"409\":", "\"422\":", "ETag:", "Location:", "initialDeposit: \"100.00\""}) {
            assertTrue(spec.body().contains(expected), "the spec lacks " + expected);
        }
    }

    @Test
    void shouldServeTheSwaggerUiPageWhenItIsOpened() throws Exception {
        // when
        HttpResponse<String> page = get("/swagger-ui/index.html");

        // then
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(page.body().contains("command-service-1.0.yml"), "the page does not point at the spec");
    }

    @Test
    void shouldStillAnswer404ProblemWhenARouteIsUnknown() throws Exception {
        // when
        HttpResponse<String> unknown = get("/swagger-ui/nope.js");
        HttpResponse<String> unknownRoute = get("/nope");

        // then
        for (HttpResponse<String> response : new HttpResponse[]{unknown, unknownRoute}) {
            assertEquals(404, response.statusCode());
            assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
        }
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + server.getPort() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
