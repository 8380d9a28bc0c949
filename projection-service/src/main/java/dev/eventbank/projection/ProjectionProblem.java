package dev.eventbank.projection;

import dev.eventbank.support.problem.ProblemResponses;
import dev.eventbank.support.problem.ProblemTypes;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

import java.util.Map;

/**
 * A client-visible failure of the projection's HTTP API (internal queries, rebuild admin), rendered as {@code application/problem+json} (RFC 9457) with a
 * type from the API's one catalogue (service-support's {@link ProblemTypes}; docs/problems.md) and extension members at the top level ({@link ProblemResponses}). Carries no stack trace: it is an answer, not a bug.
 * Framework errors (unknown route, 405, ...) are service-support's {@code ClientErrorDetails}.
 */
public final class ProjectionProblem extends RuntimeException {

    private final HttpStatus status;
    private final String type;
    private final String title;
    private final Map<String, Object> members;

    private ProjectionProblem(HttpStatus status, String type, String title, String detail, Map<String, Object> members) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
        this.members = Map.copyOf(members);
    }

    public static ProjectionProblem badRequest(String detail) {
        return new ProjectionProblem(HttpStatus.BAD_REQUEST, ProblemTypes.INVALID_REQUEST, "Invalid request", detail, Map.of());
    }

    public static ProjectionProblem notFound(String detail, Map<String, Object> members) {
        return new ProjectionProblem(HttpStatus.NOT_FOUND, ProblemTypes.ACCOUNT_NOT_FOUND, "Account not found", detail, members);
    }

    public static ProjectionProblem conflict(String title, String detail) {
        return new ProjectionProblem(HttpStatus.CONFLICT, ProblemTypes.CONFLICT, title, detail, Map.of());
    }

    public static ProjectionProblem unavailable(String detail) {
        return new ProjectionProblem(HttpStatus.SERVICE_UNAVAILABLE, ProblemTypes.UNAVAILABLE, "Projection not ready", detail, Map.of());
    }

    HttpResponse<?> render() {
        MutableHttpResponse<Map<String, Object>> response = ProblemResponses.of(status, type, title,
                getMessage(), members);
        if (status == HttpStatus.SERVICE_UNAVAILABLE) {
            response.header("Retry-After", "1");
        }
        return response;
    }

    @Produces
    @Singleton
    static final class Handler implements ExceptionHandler<ProjectionProblem, HttpResponse<?>> {
        @Override
        public HttpResponse<?> handle(HttpRequest request, ProjectionProblem exception) {
            return exception.render();
        }
    }

    /** The stores are not queryable while Kafka Streams starts, restores or rebalances: retry shortly. */
    @Produces
    @Singleton
    static final class NotReadyHandler implements ExceptionHandler<InvalidStateStoreException, HttpResponse<?>> {
        @Override
        public HttpResponse<?> handle(HttpRequest request, InvalidStateStoreException exception) {
            return unavailable("the projection's stores are not queryable right now (" + exception.getMessage()
                    + "); retry in a moment").render();
        }
    }
}
