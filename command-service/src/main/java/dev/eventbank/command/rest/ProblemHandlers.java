package dev.eventbank.command.rest;

import dev.eventbank.command.gateway.CommandGateway;
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
 * Renders every error as {@code application/problem+json} (RFC 9457): our {@link CommandProblem}s, a command
 * Kafka did not take (503, {@code Retry-After}), and the framework's client errors (unknown route, 405, 413,
 * 415, ...), whose message becomes the {@code detail} so that callers learn what to fix. Server errors keep
 * their detail to the log.
 */
final class ProblemHandlers {

    private ProblemHandlers() {
    }

    /** Extension members go at the top level, as RFC 9457 has them ({@code "currentVersion": 3}). */
    static MutableHttpResponse<?> render(CommandProblem problem) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", problem.type());
        body.put("title", problem.title());
        body.put("status", problem.status().getCode());
        body.put("detail", problem.getMessage());
        body.putAll(problem.members());
        MutableHttpResponse<Map<String, Object>> response = HttpResponse.status(problem.status());
        return response.contentType(ProblemErrorResponseProcessor.APPLICATION_PROBLEM_JSON).body(body);
    }

    @Produces
    @Singleton
    static final class CommandProblemHandler implements ExceptionHandler<CommandProblem, HttpResponse<?>> {

        @Override
        public HttpResponse<?> handle(HttpRequest request, CommandProblem exception) {
            return render(exception);
        }
    }

    @Produces
    @Singleton
    static final class NotSentHandler implements ExceptionHandler<CommandGateway.CommandNotSentException, HttpResponse<?>> {

        @Override
        public HttpResponse<?> handle(HttpRequest request, CommandGateway.CommandNotSentException exception) {
            return render(new CommandProblem(HttpStatus.SERVICE_UNAVAILABLE, "/problems/unavailable",
                    "Command not sent", "Kafka did not take the command in time; retry with the same "
                    + "Idempotency-Key so that it is applied at most once", Map.of()))
                    .header("Retry-After", "1");
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
