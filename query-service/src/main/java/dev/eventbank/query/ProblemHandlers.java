package dev.eventbank.query;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.core.annotation.NonNull;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.problem.HttpStatusType;
import io.micronaut.problem.ProblemErrorResponseProcessor;
import io.micronaut.problem.conf.ProblemConfiguration;
import jakarta.inject.Singleton;
import org.zalando.problem.Problem;
import org.zalando.problem.ProblemBuilder;
import org.zalando.problem.ThrowableProblem;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Renders every error as {@code application/problem+json} (RFC 9457) through micronaut-problem-json: our own
 * {@link QueryProblem}s, a view that is not ready or too busy (503, {@code Retry-After}), and the framework's
 * client errors (unknown route, 405, 415, ...), whose message becomes the {@code detail} so that callers
 * learn what to fix. Server errors keep their detail to the log.
 */
final class ProblemHandlers {

    private ProblemHandlers() {
    }

    /**
     * Our problems are rendered here rather than by the processor, because it nests extension members under
     * "parameters" while RFC 9457 puts them at the top level ({@code "currentVersion": 3}).
     */
    static HttpResponse<?> render(QueryProblem problem) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "about:blank");
        body.put("title", problem.title());
        body.put("status", problem.status().getCode());
        body.put("detail", problem.getMessage());
        body.putAll(problem.members());
        MutableHttpResponse<Map<String, Object>> response = HttpResponse.status(problem.status());
        problem.headers().forEach(response::header);
        return response.contentType(ProblemErrorResponseProcessor.APPLICATION_PROBLEM_JSON).body(body);
    }

    @Produces
    @Singleton
    static final class QueryProblemHandler implements ExceptionHandler<QueryProblem, HttpResponse<?>> {

        @Override
        public HttpResponse<?> handle(HttpRequest request, QueryProblem exception) {
            return render(exception);
        }
    }

    @Produces
    @Singleton
    static final class ViewNotReadyHandler implements ExceptionHandler<AccountReader.ViewNotReadyException, HttpResponse<?>> {

        @Override
        public HttpResponse<?> handle(HttpRequest request, AccountReader.ViewNotReadyException exception) {
            return render(QueryProblem.retryLater("View not ready",
                    "the account view is starting or restoring; retry in a moment", Map.of()));
        }
    }

    @Produces
    @Singleton
    static final class TooManyWaitersHandler implements ExceptionHandler<VersionWaiters.TooManyWaitersException, HttpResponse<?>> {

        @Override
        public HttpResponse<?> handle(HttpRequest request, VersionWaiters.TooManyWaitersException exception) {
            return render(QueryProblem.retryLater("Too many waiting reads",
                    exception.getMessage() + "; retry in a moment", Map.of()));
        }
    }

    /** micronaut-problem-json hides the message of framework errors; for client errors it is the useful part. */
    @Singleton
    @Replaces(ProblemErrorResponseProcessor.class)
    static final class ClientErrorDetails extends ProblemErrorResponseProcessor {

        ClientErrorDetails(ProblemConfiguration config) {
            super(config);
        }

        @Override
        @NonNull
        protected ThrowableProblem defaultProblem(@NonNull ErrorContext errorContext, @NonNull HttpStatus httpStatus) {
            if (httpStatus.getCode() < 400 || httpStatus.getCode() >= 500 || errorContext.getErrors().isEmpty()) {
                return super.defaultProblem(errorContext, httpStatus);
            }
            Error error = errorContext.getErrors().get(0);
            ProblemBuilder problem = Problem.builder().withStatus(new HttpStatusType(httpStatus))
                    .withTitle(error.getTitle().orElse(httpStatus.getReason()))
                    .withDetail(error.getMessage());
            error.getPath().ifPresent(path -> problem.with("path", path));
            return problem.build();
        }
    }
}
