package dev.eventbank.command;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbank.support.testing.LogCapture;
import dev.eventbank.support.testing.ServiceUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
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
 * probes, and the correlation id of a command in the MDC of the partition writer's log lines.
 */
class ObservabilityIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ServiceUnderTest service;

    @BeforeAll
    static void startService() throws Exception {
        service = ServiceUnderTest.start("command-observability-it").awaitHealthy(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stopService() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void shouldCountCommandsByTypeAndOutcomeWhenOneIsAcceptedAndOneRejected() throws Exception {
        // given
        String account = open(null);

        // when
        // an account with money in it cannot be closed
        HttpResponse<String> rejected = service.post("/accounts/" + account + "/close", "", Map.of());
        // and an amount the account's currency cannot hold is a 400 its writer decides
        HttpResponse<String> invalid = service.post("/accounts/" + account + "/deposits", "{\"amount\":\"5.001\"}", Map.of());
        String scrape = service.scrape();

        // then
        assertEquals(422, rejected.statusCode(), rejected.body());
        assertEquals(400, invalid.statusCode(), invalid.body());
        assertTrue(value(scrape, "eventbank_commands_total", "outcome=\"invalid\"", "type=\"deposit\"") >= 1, scrape);
        assertTrue(value(scrape, "eventbank_commands_total", "outcome=\"accepted\"", "type=\"open\"") >= 1, scrape);
        assertTrue(value(scrape, "eventbank_commands_total", "outcome=\"rejected\"", "type=\"close\"") >= 1, scrape);
        assertTrue(value(scrape, "eventbank_events_appended_total") >= 1, scrape);
        assertTrue(value(scrape, "eventbank_command_append_latency_seconds_count", "type=\"open\"") >= 1, scrape);
        assertTrue(scrape.contains("eventbank_command_append_latency_seconds_bucket{"), "histogram buckets published");
        assertTrue(scrape.contains("kafka_producer_"), "the partition writers' producer metrics bound");
        // three requests with the test client's one token: its signature was checked once (ValidatedTokenCache)
        assertTrue(value(scrape, "cache_gets_total", "cache=\"validated-tokens\"", "result=\"hit\"") >= 2, scrape);
    }

    @Test
    void shouldReportReadyAndLiveWhenEveryOwnedPartitionHasAReadyWriter() throws Exception {
        // when
        HttpResponse<String> readiness = service.get("/health/readiness");
        HttpResponse<String> liveness = service.get("/health/liveness");

        // then
        assertEquals(200, readiness.statusCode(), readiness.body());
        assertEquals("UP", JSON.readTree(readiness.body()).path("status").asText(), readiness.body());
        assertEquals(200, liveness.statusCode(), liveness.body());
        assertEquals("UP", JSON.readTree(liveness.body()).path("status").asText(), liveness.body());
        assertEquals(200, service.get("/health").statusCode());
    }

    @Test
    void shouldCarryTheCorrelationIdInTheMdcWhenACommandIsAccepted() throws Exception {
        // given
        String correlationId = "corr-mdc-" + UUID.randomUUID();
        try (LogCapture processorLog = LogCapture.of("dev.eventbank.command.writer.PartitionWriter")) {
            // when
            String account = open(correlationId);

            // then
            ILoggingEvent accepted = processorLog.await("correlationId", correlationId, Duration.ofSeconds(10));
            assertTrue(accepted.getFormattedMessage().startsWith("command accepted"), accepted.getFormattedMessage());
            assertEquals(account, accepted.getMDCPropertyMap().get("accountId"));
            assertFalse(accepted.getMDCPropertyMap().get("commandId").isBlank());
            String json = LogCapture.encode(accepted, "json");
            assertEquals(correlationId, JSON.readTree(json).path("mdc").path("correlationId").asText(), json);
        }
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
        HttpResponse<String> opened = service.post("/accounts",
                "{\"owner\":\"Grace Hopper\",\"currency\":\"EUR\",\"initialDeposit\":\"100.00\"}",
                correlationId == null ? Map.of() : Map.of("X-Correlation-Id", correlationId));
        assertEquals(201, opened.statusCode(), opened.body());
        return JSON.readTree(opened.body()).path("accountId").asText();
    }
}
