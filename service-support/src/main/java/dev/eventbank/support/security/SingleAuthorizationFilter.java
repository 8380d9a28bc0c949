package dev.eventbank.support.security;

import dev.eventbank.support.logging.CorrelationIdFilter;
import dev.eventbank.support.problem.ProblemResponses;
import dev.eventbank.support.problem.ProblemTypes;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.annotation.Order;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;

import java.util.Map;

/**
 * A request may carry one {@code Authorization} header: two or more are a 400 problem, before the security filter
 * reads any. Why: Micronaut Security reads the first one only, so which identity a request ran as depended on the
 * order of its headers (a teller's token then a customer's read the bank totals, the other way round was refused),
 * an ambiguity no client means to send; {@code If-Match} given twice is refused the same way. A bean of every service
 * with service-support on its class path (command, projection, query).
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
// after the query and projection services' correlation filters (-1000), before the security filter
// (ServerFilterPhase.SECURITY, 39000)
@Order(-900)
public final class SingleAuthorizationFilter {

    /**
     * @return null to go on, or the 400 answer when the request has more than one {@code Authorization} header
     */
    @RequestFilter
    @Nullable
    public HttpResponse<?> refuseMoreThanOne(HttpRequest<?> request) {
        int given = request.getHeaders().getAll(HttpHeaders.AUTHORIZATION).size();
        if (given <= 1) {
            return null;
        }
        // the id itself: the command service's correlation filter runs after this one (as SecurityProblemHandler does)
        return ProblemResponses.of(HttpStatus.BAD_REQUEST, ProblemTypes.INVALID_REQUEST, "Invalid request",
                        "Authorization must be given once, got it on " + given + " lines: send one credential", Map.of())
                .header(CorrelationIdFilter.HEADER, SecurityProblemHandler.correlationId(request));
    }
}
