package dev.eventbank.query;

import io.micronaut.http.HttpStatus;

import java.util.Map;

/**
 * A client-facing error of the query API, rendered as {@code application/problem+json} by
 * {@link ProblemHandlers}: status, title, a detail that says what to do, extra members and response headers.
 */
final class QueryProblem extends RuntimeException {

    private final HttpStatus status;
    private final String title;
    private final Map<String, Object> members;
    private final Map<String, String> headers;

    private QueryProblem(HttpStatus status, String title, String detail, Map<String, Object> members,
                         Map<String, String> headers) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
        this.members = Map.copyOf(members);
        this.headers = Map.copyOf(headers);
    }

    static QueryProblem badRequest(String detail) {
        return new QueryProblem(HttpStatus.BAD_REQUEST, "Invalid request", detail, Map.of(), Map.of());
    }

    static QueryProblem accountNotFound(String detail) {
        return new QueryProblem(HttpStatus.NOT_FOUND, "Account not found", detail, Map.of(), Map.of());
    }

    /** 503 with {@code Retry-After: 1}: the caller should simply try again. */
    static QueryProblem retryLater(String title, String detail, Map<String, Object> members) {
        return new QueryProblem(HttpStatus.SERVICE_UNAVAILABLE, title, detail, members, Map.of("Retry-After", "1"));
    }

    HttpStatus status() {
        return status;
    }

    String title() {
        return title;
    }

    Map<String, Object> members() {
        return members;
    }

    Map<String, String> headers() {
        return headers;
    }
}
