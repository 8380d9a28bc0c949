package dev.eventbank.query;

import dev.eventbank.support.problem.ProblemTypes;
import io.micronaut.http.HttpStatus;

import java.util.Map;

/**
 * A client-facing error of the query API, rendered as {@code application/problem+json} by
 * {@link ProblemHandlers}: status, a type URI from the API's one catalogue (service-support's {@link ProblemTypes},
 * the same types as the command service's; docs/problems.md), title, a detail that says what to do, extra members
 * and response headers.
 */
final class QueryProblem extends RuntimeException {

    private final HttpStatus status;
    private final String type;
    private final String title;
    private final Map<String, Object> members;
    private final Map<String, String> headers;

    private QueryProblem(HttpStatus status, String type, String title, String detail, Map<String, Object> members,
                         Map<String, String> headers) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
        this.members = Map.copyOf(members);
        this.headers = Map.copyOf(headers);
    }

    static QueryProblem badRequest(String detail) {
        return new QueryProblem(HttpStatus.BAD_REQUEST, ProblemTypes.INVALID_REQUEST, "Invalid request", detail, Map.of(), Map.of());
    }

    static QueryProblem accountNotFound(String detail) {
        return accountNotFound(detail, Map.of());
    }

    /** A 404 with extension members, e.g. {@code currentVersion} for a version that does not exist yet. */
    static QueryProblem accountNotFound(String detail, Map<String, Object> members) {
        return new QueryProblem(HttpStatus.NOT_FOUND, ProblemTypes.ACCOUNT_NOT_FOUND, "Account not found", detail, members, Map.of());
    }

    /** 503 with {@code Retry-After: 1}: the caller should simply try again. */
    static QueryProblem retryLater(String title, String detail, Map<String, Object> members) {
        return new QueryProblem(HttpStatus.SERVICE_UNAVAILABLE, ProblemTypes.UNAVAILABLE, title, detail, members,
                Map.of("Retry-After", "1"));
    }

    /**
     * 503 without {@code Retry-After}: this service cannot answer until an operator fixes its configuration (e.g. its
     * credentials for the projection's internal API).
     */
    static QueryProblem misconfigured(String title, String detail) {
        return new QueryProblem(HttpStatus.SERVICE_UNAVAILABLE, ProblemTypes.UNAVAILABLE, title, detail, Map.of(), Map.of());
    }

    /** 429 with {@code Retry-After: 1}: this caller has as many reads in flight as one caller may. */
    static QueryProblem tooManyRequests(String detail) {
        return new QueryProblem(HttpStatus.TOO_MANY_REQUESTS, ProblemTypes.TOO_MANY_REQUESTS, "Too many requests", detail,
                Map.of(), Map.of("Retry-After", "1"));
    }

    /** 503 with {@code Retry-After: 1} and {@code currentVersion}: a {@code minVersion} read timed out. */
    static QueryProblem versionNotVisible(String detail, long currentVersion) {
        return new QueryProblem(HttpStatus.SERVICE_UNAVAILABLE, ProblemTypes.VERSION_NOT_VISIBLE,
                "Version not visible yet", detail, Map.of("currentVersion", currentVersion), Map.of("Retry-After", "1"));
    }

    HttpStatus status() {
        return status;
    }

    String type() {
        return type;
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
