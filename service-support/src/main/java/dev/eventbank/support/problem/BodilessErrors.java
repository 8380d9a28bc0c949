package dev.eventbank.support.problem;

import dev.eventbank.http.RefusalTexts;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.annotation.Order;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;

import java.util.Map;

/**
 * An error answer that a filter of the framework made without a body gets a problem document (RFC 9457), like every
 * other error of our APIs. Why: Micronaut's CORS filter refuses a request whose {@code Origin} is not localhost to a
 * server reached on localhost (its protection against drive-by-localhost attacks, with no CORS configured) with a
 * bare 403, and a client saw an empty body where the docs promise a problem (found by a helper trying to break the
 * stack). The refusal stays; only its body is added. A bean of every service with service-support on its class path.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
// first of all filters, so its response part runs last, after any filter that answered by itself (CORS included)
@Order(Integer.MIN_VALUE + 100)
public final class BodilessErrors {

    /**
     * @return null to keep {@code response}; else the same status and headers with a problem document, when it is an
     *     error (4xx, 5xx) without a body to a request other than HEAD
     */
    @ResponseFilter
    @Nullable
    public HttpResponse<?> addProblem(HttpRequest<?> request, MutableHttpResponse<?> response) {
        if (response.code() < 400 || response.getBody().isPresent() || request.getMethod() == HttpMethod.HEAD) {
            return null;
        }
        HttpStatus status = HttpStatus.valueOf(response.code());
        String detail = status == HttpStatus.FORBIDDEN && request.getHeaders().contains(HttpHeaders.ORIGIN)
                ? RefusalTexts.crossOriginRefused(dev.eventbank.support.text.TextRule.quote(
                        request.getHeaders().get(HttpHeaders.ORIGIN), 80))
                : "the request was refused: " + status.getReason();
        MutableHttpResponse<Map<String, Object>> problem = ProblemResponses.of(status, ProblemTypes.forStatus(status),
                status.getReason(), detail, Map.of());
        response.getHeaders().forEach((name, values) -> {
            if (!name.equalsIgnoreCase(HttpHeaders.CONTENT_TYPE) && !name.equalsIgnoreCase(HttpHeaders.CONTENT_LENGTH)) {
                values.forEach(value -> problem.getHeaders().add(name, value));
            }
        });
        return problem;
    }
}
