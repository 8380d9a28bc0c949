package dev.eventbank.support.problem;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.problem.ProblemErrorResponseProcessor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Renders a service's own problem as an {@code application/problem+json} (RFC 9457) response: {@code type},
 * {@code title}, {@code status}, {@code detail}, then the extension members at the top level
 * ({@code "currentVersion": 3}), where RFC 9457 puts them (micronaut-problem-json would nest them under
 * "parameters"). Each service keeps its own problem exception and handlers and renders them with this.
 *
 * <p>Limits: headers (such as {@code Retry-After}) are the caller's to add to the returned response; the body is a
 * map, serialized by whatever JSON mapper the service runs.
 */
public final class ProblemResponses {

    public static final String APPLICATION_PROBLEM_JSON = ProblemErrorResponseProcessor.APPLICATION_PROBLEM_JSON;

    private ProblemResponses() {
    }

    public static MutableHttpResponse<Map<String, Object>> of(HttpStatus status, String type, String title,
                                                              String detail, Map<String, ?> members) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type);
        body.put("title", title);
        body.put("status", status.getCode());
        body.put("detail", detail);
        body.putAll(members);
        MutableHttpResponse<Map<String, Object>> response = HttpResponse.status(status);
        return response.contentType(APPLICATION_PROBLEM_JSON).body(body);
    }
}
