package dev.eventbank.support.http;

import dev.eventbank.support.logging.CorrelationIdFilter;
import dev.eventbank.support.problem.ProblemResponses;
import dev.eventbank.support.problem.ProblemTypes;
import dev.eventbank.support.security.SecurityProblemHandler;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.annotation.Order;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;

import java.util.List;
import java.util.Map;

/**
 * The request headers that may appear once: two or more lines of one are a 400 problem, before anything reads them.
 * Why: Micronaut and our filters read the first line only, so what a request meant depended on the order of its
 * headers: which identity it ran as ({@code Authorization}: a teller's token then a customer's read the bank totals,
 * the other way round was refused), which body type it was parsed as ({@code Content-Type}: {@code application/json}
 * then {@code text/plain} was applied, the other way round was a 415), which id its events were traced by
 * ({@code X-Correlation-Id}: the second was dropped silently), how its body was decoded ({@code Content-Encoding}).
 * No client means such a request. The command service refuses a repeated {@code If-Match} and
 * {@code Idempotency-Key} the same way (its {@code CommandHeaders}). A bean of every service with service-support on
 * its class path (command, projection, query); the registry keeps Confluent's error shape with its own filter.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
// after the query and projection services' correlation filters (-1000), before the security filter
// (ServerFilterPhase.SECURITY, 39000)
@Order(-900)
public final class SingleValuedHeaders {

    /** The headers checked, in the order their refusal is reported. */
    public static final List<String> NAMES = List.of(HttpHeaders.AUTHORIZATION, HttpHeaders.CONTENT_TYPE,
            HttpHeaders.CONTENT_ENCODING, CorrelationIdFilter.HEADER);

    /**
     * @return null to go on, or the 400 answer naming the first of {@link #NAMES} the request has on more than one line
     */
    @RequestFilter
    @Nullable
    public HttpResponse<?> refuseRepeated(HttpRequest<?> request) {
        for (String name : NAMES) {
            int given = request.getHeaders().getAll(name).size();
            if (given > 1) {
                // the id itself: the command service's correlation filter runs after this one (as SecurityProblemHandler
                // does)
                return ProblemResponses.of(HttpStatus.BAD_REQUEST, ProblemTypes.INVALID_REQUEST, "Invalid request",
                                name + " must be given once, got it on " + given + " lines: send one", Map.of())
                        .header(CorrelationIdFilter.HEADER, SecurityProblemHandler.correlationId(request));
            }
        }
        return null;
    }
}
