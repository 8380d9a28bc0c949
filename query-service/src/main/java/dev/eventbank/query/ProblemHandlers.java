package dev.eventbank.query;

import dev.eventbank.support.readyourwrites.VersionWaiters;
import dev.eventbank.support.problem.ProblemResponses;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

import java.util.Map;

/**
 * Renders every error as {@code application/problem+json} (RFC 9457) through micronaut-problem-json: our own
 * {@link QueryProblem}s, a view that is not ready or too busy (503, {@code Retry-After}), and the framework's
 * client errors (unknown route, 405, 415, ...), whose message becomes the {@code detail} so that callers
 * learn what to fix (that last part is service-support's {@code ClientErrorDetails}). Server errors keep their
 * detail to the log.
 */
final class ProblemHandlers {

    private ProblemHandlers() {
    }

    /**
     * Our problems are rendered here rather than by the processor, because it nests extension members under
     * "parameters" while RFC 9457 puts them at the top level ({@code "currentVersion": 3}).
     */
    static HttpResponse<?> render(QueryProblem problem) {
        MutableHttpResponse<Map<String, Object>> response = ProblemResponses.of(problem.status(), problem.type(),
                problem.title(), problem.getMessage(), problem.members());
        problem.headers().forEach(response::header);
        return response;
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
}
