package dev.eventbank.command;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbank.localkafka.LocalKafkaBroker;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What operators see of the command service: the custom meters on {@code /prometheus}, the readiness and liveness
 * probes, and the correlation id of a command in the MDC of the processor's log lines.
 */
class ObservabilityIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static EmbeddedServer server;

    @BeforeAll
    static void startService() throws Exception {
        server = ApplicationContext.run(EmbeddedServer.class, Map.of(
                "micronaut.server.port", -1,
                "kafka.bootstrap.servers", LocalKafkaBroker.shared().bootstrapServers(),
                "schema-registry.url", "mock://command-observability-it-" + UUID.randomUUID(),
                "eventbank.streams.application-id", "command-observability-it-" + UUID.randomUUID(),
                "eventbank.streams.state-dir", Files.createTempDirectory("command-observability-it-").toString(),
                "eventbank.topics.partitions", 3));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (get("/health").statusCode() != 200 && System.nanoTime() < deadline) {
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
    void shouldCountCommandsByTypeAndOutcomeWhenOneIsAcceptedAndOneRejected() throws Exception {
        // given
        String account = open(null);

        // when
        // an account with money in it cannot be closed
        HttpResponse<String> rejected = post("/accounts/" + account + "/close", "", Map.of());
        String scrape = get("/prometheus").body();

        // then
        assertEquals(422, rejected.statusCode(), rejected.body());
        assertTrue(value(scrape, "eventbank_commands_total", "outcome=\"accepted\"", "type=\"open\"") >= 1, scrape);
        assertTrue(value(scrape, "eventbank_commands_total", "outcome=\"rejected\"", "type=\"close\"") >= 1, scrape);
        assertTrue(value(scrape, "eventbank_events_appended_total") >= 1, scrape);
        assertTrue(value(scrape, "eventbank_command_append_latency_seconds_count", "type=\"open\"") >= 1, scrape);
        assertTrue(scrape.contains("eventbank_command_append_latency_seconds_bucket{"), "histogram buckets published");
        assertTrue(scrape.contains("kafka_stream_"), "Kafka Streams metrics bound");
    }

    @Test
    void shouldReportReadyAndLiveWhenStreamsRunAndResultsAreRead() throws Exception {
        // when
        HttpResponse<String> readiness = get("/health/readiness");
        HttpResponse<String> liveness = get("/health/liveness");

        // then
        assertEquals(200, readiness.statusCode(), readiness.body());
        assertEquals("UP", JSON.readTree(readiness.body()).path("status").asText(), readiness.body());
        assertEquals(200, liveness.statusCode(), liveness.body());
        assertEquals("UP", JSON.readTree(liveness.body()).path("status").asText(), liveness.body());
        assertEquals(200, get("/health").statusCode());
    }

    @Test
    void shouldCarryTheCorrelationIdInTheMdcWhenACommandIsAccepted() throws Exception {
        // given
        Logger processorLog = (Logger) LoggerFactory.getLogger("dev.eventbank.command.processor.CommandProcessor");
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        processorLog.addAppender(appender);
        String correlationId = "corr-mdc-" + UUID.randomUUID();
        try {
            // when
            String account = open(correlationId);

            // then
            ILoggingEvent accepted = awaitLine(appender, correlationId);
            assertTrue(accepted.getFormattedMessage().startsWith("command accepted"), accepted.getFormattedMessage());
            assertEquals(account, accepted.getMDCPropertyMap().get("accountId"));
            assertFalse(accepted.getMDCPropertyMap().get("commandId").isBlank());
            JsonEncoder encoder = new JsonEncoder();
            encoder.setContext(processorLog.getLoggerContext());
            encoder.start();
            String json = new String(encoder.encode(accepted), StandardCharsets.UTF_8);
            assertEquals(correlationId, JSON.readTree(json).path("mdc").path("correlationId").asText(), json);
        } finally {
            processorLog.detachAppender(appender);
        }
    }

    private static ILoggingEvent awaitLine(ListAppender<ILoggingEvent> appender, String correlationId)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            for (ILoggingEvent event : List.copyOf(appender.list)) {
                if (correlationId.equals(event.getMDCPropertyMap().get("correlationId"))) {
                    return event;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no log line with correlationId " + correlationId + " in " + appender.list);
    }

    /** The sample of {@code name} whose labels contain all of {@code labels}. */
    private static double value(String scrape, String name, String... labels) {
        Matcher line = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? (\\S+)").matcher(scrape);
        while (line.find()) {
            String found = line.group(1) == null ? "" : line.group(1);
            if (List.of(labels).stream().allMatch(found::contains)) {
                return Double.parseDouble(line.group(2));
            }
        }
        throw new AssertionError("no sample " + name + " with " + List.of(labels));
    }

    private static String open(String correlationId) throws Exception {
        HttpResponse<String> opened = post("/accounts",
                "{\"owner\":\"Grace Hopper\",\"currency\":\"EUR\",\"initialDeposit\":\"100.00\"}",
                correlationId == null ? Map.of() : Map.of("X-Correlation-Id", correlationId));
        assertEquals(201, opened.statusCode(), opened.body());
        return JSON.readTree(opened.body()).path("accountId").asText();
    }

    private static HttpResponse<String> post(String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path)))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String url(String path) {
        return "http://localhost:" + server.getPort() + path;
    }
}
