package dev.eventbank.support.http;

import dev.eventbank.http.AcceptNegotiation;
import dev.eventbank.support.logging.CorrelationIdFilter;
import dev.eventbank.support.problem.ProblemResponses;
import dev.eventbank.support.problem.ProblemTypes;
import dev.eventbank.support.security.SecurityProblemHandler;
import dev.eventbank.support.text.TextRule;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpRequest;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.server.annotation.PreMatching;

import java.util.List;
import java.util.Map;

/**
 * Content negotiation by RFC 9110 before Micronaut picks a route ({@link AcceptNegotiation} says what Micronaut gets
 * wrong): {@code Accept: application/*} or {@code application/json;q=0.9} is answered with
 * {@code Content-Type: application/json}, and a header that accepts nothing (each of its ranges at {@code q=0}, or
 * excluded by one that is) is a 406 {@code /problems/not-acceptable} that names it. A header that accepts other types only (such as {@code text/html})
 * reaches the router, which answers the 406 for a JSON route. Limit: the filter runs before routing and does not know
 * the route, so a header that excludes {@code application/json} and accepts nothing else by name
 * ({@code *}{@code /*, application/json;q=0}) is a 406 on every path, the few that produce something else
 * ({@code /prometheus}, static files) included.
 *
 * <p>A bean of every service with service-support on its class path (command, projection, query); the registry offers
 * Confluent's types and applies the same {@link AcceptNegotiation} in its own filter.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
public final class AcceptFilter {

    /** The type every service's API answers with (problems aside, which are answered whatever the request accepts). */
    static final List<String> OFFERED = List.of(MediaType.APPLICATION_JSON);

    /**
     * @return null to go on (with {@code Accept} rewritten where it needed it), or the 406 answer
     */
    @PreMatching
    @RequestFilter
    @Nullable
    public HttpResponse<?> negotiate(MutableHttpRequest<?> request) {
        List<String> lines = request.getHeaders().getAll(HttpHeaders.ACCEPT);
        AcceptNegotiation.Outcome outcome = AcceptNegotiation.negotiate(lines, OFFERED);
        if (outcome instanceof AcceptNegotiation.Rewritten rewritten) {
            request.getHeaders().set(HttpHeaders.ACCEPT, rewritten.accept());
        } else if (outcome instanceof AcceptNegotiation.Disregarded) {
            request.getHeaders().remove(HttpHeaders.ACCEPT);
        } else if (outcome instanceof AcceptNegotiation.NoneAcceptable) {
            return ProblemResponses.of(HttpStatus.NOT_ACCEPTABLE, ProblemTypes.NOT_ACCEPTABLE, "Not Acceptable",
                            "Accept '" + TextRule.quote(String.join(", ", lines), 80) + "' accepts nothing (q=0 "
                                    + "excludes a type): this API answers with " + String.join(", ", OFFERED), Map.of())
                    .header(CorrelationIdFilter.HEADER, SecurityProblemHandler.correlationId(request));
        }
        return null;
    }
}
