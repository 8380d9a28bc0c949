package dev.eventbank.support.http;

import dev.eventbank.http.RequestBodies;
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
 * ({@code X-Correlation-Id}: the second was dropped silently). No client means such a request. The command service
 * refuses a repeated {@code If-Match} and {@code Idempotency-Key} the same way (its {@code CommandHeaders}).
 *
 * <p>And a body in a {@code Content-Encoding} the server did not decode is a 415 (RFC 9110 section 15.5.16):
 * Micronaut's Netty server decodes {@code gzip}, {@code x-gzip}, {@code deflate}, {@code x-deflate} and
 * {@code snappy} by the header's first line and then takes the header off the request, so one still here (other than
 * {@code identity}) names a coding nobody decoded ({@code br} or {@code zstd} sent on a plain body was read as
 * plain). A request without a body is not refused for its header. A repeated {@code Content-Encoding} whose first line Micronaut decoded
 * never reaches this filter; one whose first line it did not is refused here.
 *
 * <p>A bean of every service with service-support on its class path (command, projection, query); the registry keeps
 * Confluent's error shape with its own filter.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
// after the query and projection services' correlation filters (-1000), before the security filter
// (ServerFilterPhase.SECURITY, 39000)
@Order(-900)
public final class SingleValuedHeaders {

    /** The headers checked, in the order their refusal is reported. */
    public static final List<String> NAMES = List.of(HttpHeaders.AUTHORIZATION, HttpHeaders.CONTENT_TYPE,
            CorrelationIdFilter.HEADER);

    /**
     * @return null to go on, the 400 answer naming the first of {@link #NAMES} the request has on more than one line,
     *     or the 415 answer for a {@code Content-Encoding} that was not decoded
     */
    @RequestFilter
    @Nullable
    public HttpResponse<?> refuseRepeatedOrUndecoded(HttpRequest<?> request) {
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
        List<String> codings = request.getHeaders().getAll(HttpHeaders.CONTENT_ENCODING);
        if (RequestBodies.hasBody(request) && codings.stream().anyMatch(coding -> !coding.strip().equalsIgnoreCase("identity"))) {
            return ProblemResponses.of(HttpStatus.UNSUPPORTED_MEDIA_TYPE, ProblemTypes.UNSUPPORTED_MEDIA_TYPE,
                            "Unsupported media type", "Content-Encoding '"
                                    + dev.eventbank.support.text.TextRule.quote(String.join(", ", codings), 40)
                                    + "' is not one this API decodes: send the body as gzip, deflate or unencoded", Map.of())
                    .header(HttpHeaders.ACCEPT_ENCODING, "gzip, deflate")
                    .header(CorrelationIdFilter.HEADER, SecurityProblemHandler.correlationId(request));
        }
        return null;
    }
}
