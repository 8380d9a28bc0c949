package dev.eventbank.query;

import dev.eventbank.support.logging.MdcScope;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.json.JsonMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * Calls the projection service: its internal read API ({@link ProjectionV1}, {@link #get}) for history, time travel
 * and bank totals, and its metrics ({@link #relay}) for the lag. Asynchronous (no thread held while waiting). An
 * unreachable projection, or any answer of the internal API other than 200 (a 5xx, a 503 while its stores restore, or
 * a 4xx: a projection of another API version), is a 503 problem with {@code Retry-After}, never a 500.
 *
 * <p>Every request carries the internal credentials ({@code eventbank.security.internal.username} /
 * {@code .password}, HTTP Basic): the projection's internal API answers nobody else. Without a password none are
 * sent (logged once when this client is created, at start) and the projection refuses those reads: 503 here. A 401
 * or 403 from the projection is logged as a configuration fault (the two services' credentials differ).
 *
 * <p>The request carries the caller's {@code X-Correlation-Id} (from the MDC of the calling thread, where
 * {@link CorrelationFilter} put it), so the projection logs the read under the same id.
 *
 * <p>Limits: these reads depend on the projection service being up (the latest-state reads do not); no retry; at
 * most {@code eventbank.query.max-projection-reads} in flight, more are a 503 problem at once;
 * with several projection instances any of them may be called — the projection forwards to the owner of the
 * account's partition.
 */
final class ProjectionClient {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectionClient.class);

    private final HttpClient http;
    private final URI base;
    private final Duration timeout;
    private final JsonMapper json;
    private final String authorization;
    private final Semaphore inFlight;
    private final int maxInFlight;

    /** As below, with at most {@value #DEFAULT_MAX_IN_FLIGHT} requests in flight. */
    ProjectionClient(String baseUrl, Duration timeout, JsonMapper json, String username, String password) {
        this(baseUrl, timeout, json, username, password, DEFAULT_MAX_IN_FLIGHT);
    }

    /** The default of {@code eventbank.query.max-projection-reads}. */
    static final int DEFAULT_MAX_IN_FLIGHT = 64;

    /**
     * @param username    the internal client's name ({@code eventbank.security.internal.username})
     * @param password    its password, empty when none is configured (then no credentials are sent)
     * @param maxInFlight requests this client sends at once at most; a request beyond is a 503 problem at once, so
     *                    that callers' history and time-travel reads cannot pile up on the projection service, whose
     *                    stream threads share its cores with them
     */
    ProjectionClient(String baseUrl, Duration timeout, JsonMapper json, String username, String password, int maxInFlight) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("eventbank.query.max-projection-reads must be at least 1, got " + maxInFlight);
        }
        this.inFlight = new Semaphore(maxInFlight);
        this.maxInFlight = maxInFlight;
        this.base = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
        this.timeout = timeout;
        this.json = json;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
        if (password.isEmpty()) {
            this.authorization = null;
            LOG.warn("no eventbank.security.internal.password: the projection's internal API will refuse this service, "
                    + "so history, time travel and bank totals answer 503; set the same username/password on both services");
        } else {
            this.authorization = "Basic " + Base64.getEncoder().encodeToString(
                    (username + ":" + password).getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * GETs {@code pathAndQuery} (relative, already encoded) of the internal API and reads the 200 answer as {@code type}.
     *
     * @throws QueryProblem (in the future) 503 for anything but a 200 that reads as {@code type}
     */
    <T> CompletableFuture<T> get(String pathAndQuery, Class<T> type) {
        URI target = base.resolve(pathAndQuery);
        return send(target).thenApply(answer -> {
            refuseIfCredentialsRefused(target, answer);
            if (answer.statusCode() != 200) {
                LOG.warn("projection failed target={} status={}", target, answer.statusCode());
                throw unavailable("the projection service answered " + answer.statusCode() + "; retry in a moment");
            }
            try {
                return json.readValue(answer.body(), type);
            } catch (IOException | RuntimeException e) {
                LOG.warn("projection answer unreadable target={} error=\"{}\"", target, e.toString());
                throw unavailable("the projection service gave an answer this service cannot read; retry in a moment");
            }
        });
    }

    /** GETs {@code pathAndQuery} (relative, already encoded) from the projection and relays its answer as it is. */
    CompletableFuture<HttpResponse<?>> relay(String pathAndQuery) {
        URI target = base.resolve(pathAndQuery);
        return send(target).thenApply(answer -> {
            refuseIfCredentialsRefused(target, answer);
            if (answer.statusCode() >= 500) {
                LOG.warn("projection failed target={} status={}", target, answer.statusCode());
                throw unavailable("the projection service answered " + answer.statusCode() + "; retry in a moment");
            }
            MutableHttpResponse<byte[]> response = HttpResponse.<byte[]>status(HttpStatus.valueOf(answer.statusCode()))
                    .contentType(answer.headers().firstValue("Content-Type").orElse("application/json"))
                    .body(answer.body());
            return response;
        });
    }

    private CompletableFuture<java.net.http.HttpResponse<byte[]>> send(URI target) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(target).timeout(timeout).GET();
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        // the caller's correlation id (put in the MDC by CorrelationFilter) goes along, so that the projection's
        // log lines for this read carry it too
        String correlationId = MDC.get(MdcScope.CORRELATION_ID);
        if (correlationId != null) {
            builder.header(CorrelationFilter.HEADER, correlationId);
        }
        if (!inFlight.tryAcquire()) {
            LOG.warn("projection reads at their limit target={} max={}", target, maxInFlight);
            return CompletableFuture.failedFuture(QueryProblem.retryLater("Projection busy", "this service already has "
                    + maxInFlight + " reads in flight at the projection service (eventbank.query.max-projection-reads); "
                    + "retry in a moment", Map.of()));
        }
        CompletableFuture<java.net.http.HttpResponse<byte[]>> sent;
        try {
            sent = http.sendAsync(builder.build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        } catch (RuntimeException e) {
            inFlight.release();
            throw e;
        }
        return sent.whenComplete((answer, error) -> inFlight.release())
                .handle((answer, error) -> {
                    if (error != null) {
                        LOG.warn("projection unreachable target={} error=\"{}\"", target, error.toString());
                        // one text for every read that asks the projection (history, time travel, totals, lag)
                        throw unavailable("the projection service did not answer; retry in a moment");
                    }
                    return answer;
                });
    }

    /**
     * A 401 or 403 of the internal API is this service's configuration, not the caller's token nor a passing outage: a
     * 503 that says so and does not ask for a retry (nor is the projection's status relayed, which would tell the
     * caller its own credentials were refused).
     */
    private static void refuseIfCredentialsRefused(URI target, java.net.http.HttpResponse<byte[]> answer) {
        if (answer.statusCode() == 401 || answer.statusCode() == 403) {
            LOG.warn("projection refused this service's credentials target={} status={}: check that "
                    + "eventbank.security.internal.username/password are the same on both services", target,
                    answer.statusCode());
            // the setting names are in the line above, for the operator: a caller learns only that retrying is vain
            throw QueryProblem.misconfigured("Projection unavailable", "the projection service refused this query "
                    + "service's credentials: the services are misconfigured, which an operator must fix; a retry does "
                    + "not help until then");
        }
    }

    private static QueryProblem unavailable(String detail) {
        return QueryProblem.retryLater("Projection unavailable", detail, Map.of());
    }
}
