package dev.eventbank.support.problem;

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
 * Framework errors (unknown route, 405, 413, 415, unreadable body, ...) as {@code application/problem+json}
 * through micronaut-problem-json, with the framework's message as the {@code detail} of client errors, because
 * that is what tells the caller what to fix (the processor hides it by default). Server errors keep their detail
 * to the log. A bean: every service that has service-support on its class path gets it, replacing
 * micronaut-problem-json's own processor.
 *
 * <p>Limits: only the first of several framework errors becomes the detail; a service's own problems (its
 * exceptions with their handlers) are rendered with {@link ProblemResponses}, not here.
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
