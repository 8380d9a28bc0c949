package dev.eventbank.query;

import dev.eventbank.support.logging.MdcScope;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Relays history, time-travel and bank-totals reads to the projection service's interactive-query endpoints
 * ({@code /iq/...}), which own the per-account history, snapshot and totals stores and the one fold function.
 * Asynchronous (no thread held while waiting). The projection's answer is relayed as is (its JSON already has
 * the public shape, and its 4xx are problems); an unreachable projection or a 5xx is a 503 problem with
 * {@code Retry-After}, never a 500.
 *
 * <p>The request carries the caller's {@code X-Correlation-Id} (from the MDC of the calling thread, where
 * {@link CorrelationFilter} put it), so the projection logs the read under the same id.
 *
 * <p>Limits: these reads depend on the projection service being up (the latest-state reads do not); no retry;
 * with several projection instances any of them may be called — the projection forwards to the owner of the
 * account's partition.
 */
final class ProjectionClient {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectionClient.class);

    private final HttpClient http;
    private final URI base;
    private final Duration timeout;

    ProjectionClient(String baseUrl, Duration timeout) {
        this.base = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** GETs {@code pathAndQuery} (relative, already encoded) from the projection and relays the answer. */
    CompletableFuture<HttpResponse<?>> relay(String pathAndQuery) {
        URI target = base.resolve(pathAndQuery);
        HttpRequest.Builder builder = HttpRequest.newBuilder(target).timeout(timeout).GET();
        // the caller's correlation id (put in the MDC by CorrelationFilter) goes along, so that the projection's
        // log lines for this read carry it too
        String correlationId = MDC.get(MdcScope.CORRELATION_ID);
        if (correlationId != null) {
            builder.header(CorrelationFilter.HEADER, correlationId);
        }
        HttpRequest request = builder.build();
        return http.sendAsync(request, java.net.http.HttpResponse.BodyHandlers.ofByteArray())
                .handle((answer, error) -> {
                    if (error != null) {
                        LOG.warn("projection unreachable target={} error=\"{}\"", target, error.toString());
                        throw QueryProblem.retryLater("Projection unavailable", "the projection service that holds "
                                + "account histories did not answer; retry in a moment", Map.of());
                    }
                    if (answer.statusCode() >= 500) {
                        LOG.warn("projection failed target={} status={}", target, answer.statusCode());
                        throw QueryProblem.retryLater("Projection unavailable", "the projection service answered "
                                + answer.statusCode() + "; retry in a moment", Map.of());
                    }
                    MutableHttpResponse<byte[]> response = HttpResponse.<byte[]>status(HttpStatus.valueOf(answer.statusCode()))
                            .contentType(answer.headers().firstValue("Content-Type").orElse("application/json"))
                            .body(answer.body());
                    answer.headers().firstValue("ETag").ifPresent(etag -> response.header("ETag", etag));
                    return response;
                });
    }
}
