package dev.eventbank.projection;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.core.annotation.NonNull;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.problem.HttpStatusType;
import io.micronaut.problem.ProblemErrorResponseProcessor;
import io.micronaut.problem.conf.ProblemConfiguration;
import jakarta.inject.Singleton;
import org.zalando.problem.Problem;
import org.zalando.problem.ProblemBuilder;
import org.zalando.problem.ThrowableProblem;

/**
 * Framework errors (unknown route, 405, ...) as {@code application/problem+json} through micronaut-problem-json,
 * with the framework's message as the {@code detail} for client errors (the processor hides it by default);
 * server errors keep their detail to the log. Our own interactive-query errors are {@link IqProblem}s.
 */
@Singleton
@Replaces(ProblemErrorResponseProcessor.class)
final class ClientErrorDetails extends ProblemErrorResponseProcessor {

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
