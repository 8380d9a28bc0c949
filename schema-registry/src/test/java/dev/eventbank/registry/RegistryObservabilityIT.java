package dev.eventbank.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What operators see of the registry: its request counter on {@code /prometheus} and the probes. */
class RegistryObservabilityIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static EmbeddedServer server;

    @BeforeAll
    static void startRegistry() {
        server = TestRegistries.start("_schemas-observability-it-" + UUID.randomUUID());
    }

    @AfterAll
    static void stopRegistry() {
        if (server != null) {
            server.getApplicationContext().close();
        }
    }

    @Test
    void shouldCountRequestsByEndpointAndStatusWhenSchemasAreRegisteredAndMissed() throws Exception {
        // given
        String subject = "observed-value-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> registered = send("POST", "/subjects/" + subject + "/versions", Schemas.body(Schemas.USER_V1));
        HttpResponse<String> missing = send("GET", "/subjects/nobody-" + UUID.randomUUID() + "/versions/latest", null);

        // when
        String scrape = send("GET", "/prometheus", null).body();

        // then
        assertEquals(200, registered.statusCode(), registered.body());
        assertEquals(404, missing.statusCode(), missing.body());
        assertTrue(sample(scrape, "endpoint=\"/subjects/{subject}/versions\"", "method=\"POST\"", "status=\"200\""), scrape);
        assertTrue(sample(scrape, "endpoint=\"/subjects/{subject}/versions/{version}\"", "method=\"GET\"", "status=\"404\""), scrape);
    }

    @Test
    void shouldReportReadyAndLiveWhenTheStoreHasCaughtUp() throws Exception {
        // when
        HttpResponse<String> readiness = awaitReady();
        HttpResponse<String> liveness = send("GET", "/health/liveness", null);

        // then
        assertEquals(200, readiness.statusCode(), readiness.body());
        assertEquals("UP", JSON.readTree(readiness.body()).path("status").asText(), readiness.body());
        assertEquals(200, liveness.statusCode(), liveness.body());
    }

    private static HttpResponse<String> awaitReady() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        HttpResponse<String> readiness = send("GET", "/health/readiness", null);
        while (readiness.statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            readiness = send("GET", "/health/readiness", null);
        }
        return readiness;
    }

    /** A positive eventbank_registry_requests_total sample whose labels (templates hold braces) contain all {@code labels}. */
    private static boolean sample(String scrape, String... labels) {
        var line = Pattern.compile("(?m)^eventbank_registry_requests_total\\{(.*)} (\\S+)$").matcher(scrape);
        while (line.find()) {
            String found = line.group(1);
            if (java.util.Arrays.stream(labels).allMatch(found::contains) && Double.parseDouble(line.group(2)) >= 1) {
                return true;
            }
        }
        return false;
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + server.getPort() + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        TestRegistries.asWriter(request);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
