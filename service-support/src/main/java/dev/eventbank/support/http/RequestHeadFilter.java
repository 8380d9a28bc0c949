package dev.eventbank.support.http;

import dev.eventbank.http.RequestHead;
import dev.eventbank.support.logging.CorrelationIdFilter;
import dev.eventbank.support.problem.ProblemResponses;
import dev.eventbank.support.problem.ProblemTypes;
import dev.eventbank.support.security.SecurityProblemHandler;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.annotation.Order;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.server.annotation.PreMatching;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * The HTTP/1.1 rules Netty and Micronaut let through ({@link RequestHead}: the method's case, the version, the
 * {@code Host}, a request target's characters and percent-encoding), refused before routing as a 400
 * {@code /problems/invalid-request} whose detail says what to change; nothing is run. A bean of every service with
 * service-support on its class path (command, projection, query); the registry applies the same rules in its own
 * error shape.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
// before the other pre-matching filters (the Accept negotiation: 0): a broken request head is the first thing to say
@Order(-2000)
public final class RequestHeadFilter {

    private static final Logger LOG = LoggerFactory.getLogger(RequestHeadFilter.class);

    /** @return null to go on, or the 400 answer (and one log line: no later filter, metrics included, sees it) */
    @PreMatching
    @RequestFilter
    @Nullable
    public HttpResponse<?> refuseBrokenHead(HttpRequest<?> request) {
        return RequestHead.refusal(request).map(detail -> {
            String correlationId = SecurityProblemHandler.correlationId(request);
            LOG.info("request refused before routing status=400 correlationId={} reason=\"{}\"", correlationId, detail);
            return (HttpResponse<?>) ProblemResponses.of(HttpStatus.BAD_REQUEST, ProblemTypes.INVALID_REQUEST,
                    "Invalid request", detail, Map.of()).header(CorrelationIdFilter.HEADER, correlationId);
        }).orElse(null);
    }
}
