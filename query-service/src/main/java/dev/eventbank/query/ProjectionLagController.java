package dev.eventbank.query;

import dev.eventbank.support.http.RequestRules;
import dev.eventbank.support.security.Roles;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.json.JsonMapper;
import io.micronaut.security.annotation.Secured;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /projection/lag}: how far the projection (the writer of the state this service reads) is behind the
 * event log, relayed from the projection service's metrics endpoint ({@code /metrics/eventbank.projection.lag}
 * and {@code .lag.ms}, see projection-service ProjectionLagMetrics) as
 * {@code {"records":0,"ms":0,"measuredAt":"..."}}. For the event browser page and for humans: tellers, auditors and
 * operators (it says nothing about money, but about the bank's systems, which is not a customer's business).
 *
 * <p>Limits: the figures are the sum over the partitions of the one projection instance that answers (with
 * several instances, only its partitions); {@code ms} summed over partitions is an upper bound of the worst
 * partition; a figure the projection does not know (a partition it does not own) is {@code null}. This is not a
 * monitoring interface: scrape the projection's metrics for that. The lag of this service's own view behind the
 * state topic is not included (it is milliseconds; {@code minVersion} covers read-your-writes).
 */
@Tag(name = "projection", description = "how far the read side is behind the event log")
@Controller("/projection")
@Secured({Roles.TELLER, Roles.AUDITOR, Roles.OPERATOR})
final class ProjectionLagController {

    private final ProjectionClient projection;
    private final JsonMapper json;

    ProjectionLagController(ProjectionClient projection, JsonMapper json) {
        this.projection = projection;
        this.json = json;
    }

    @Operation(summary = "Projection lag, relayed from the projection service's metrics")
    @ApiResponse(responseCode = "200", description = "records and milliseconds behind (null when unknown)",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = Lag.class)))
    @ApiResponse(responseCode = "503", description = "the projection service did not answer",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "#/components/schemas/Problem")))
    @Get("/lag")
    CompletableFuture<HttpResponse<?>> lag(io.micronaut.http.HttpRequest<?> request) {
        RequestRules.onlyParameters(request);
        CompletableFuture<Double> records = projection.relay("metrics/eventbank.projection.lag").thenApply(this::value);
        CompletableFuture<Double> ms = projection.relay("metrics/eventbank.projection.lag.ms").thenApply(this::value);
        return records.thenCombine(ms, (r, m) -> HttpResponse.ok(new Lag(toLong(r), toLong(m), Instant.now().toString())));
    }

    /** The VALUE measurement of a Micronaut metrics answer; null when absent, unreadable or NaN. */
    private Double value(HttpResponse<?> answer) {
        if (answer.getStatus().getCode() != 200 || !(answer.body() instanceof byte[] body)) {
            return null;
        }
        try {
            Map<?, ?> metric = json.readValue(body, Map.class);
            if (metric != null && metric.get("measurements") instanceof List<?> measurements) {
                for (Object m : measurements) {
                    if (m instanceof Map<?, ?> measurement && "VALUE".equals(measurement.get("statistic"))
                            && measurement.get("value") instanceof Number number) {
                        return number.doubleValue();
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // a NaN figure is not valid JSON for every writer: "unknown", as documented
        }
        return null;
    }

    private static Long toLong(Double value) {
        return value == null || value.isNaN() || value.isInfinite() ? null : Math.round(value);
    }

    /** The lag as JSON; {@code records}/{@code ms} null when the projection does not know it. */
    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Lag(Long records, Long ms, String measuredAt) {
    }
}
