package dev.eventbank.command.rest;

import dev.eventbank.command.routing.OwnerRefusedException;
import dev.eventbank.command.writer.NotCommittedException;
import dev.eventbank.command.writer.QueueFullException;
import dev.eventbank.support.problem.ProblemResponses;
import dev.eventbank.support.problem.ProblemTypes;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

import java.util.Map;

/**
 * Renders every error as {@code application/problem+json} (RFC 9457): our {@link CommandProblem}s, a command
 * whose outcome is not known in time (503, {@code Retry-After}), a command refused because its partition's writer
 * has its queue full (503 {@code /problems/unavailable}, {@code Retry-After}: load shedding, nothing applied), a
 * forwarded command its owner refused before deciding ({@link OwnerRefusedException}: the owner's 4xx, or 503 for
 * instances whose credentials differ), and the framework's client errors (unknown route, 405, 413,
 * 415, ...), whose message becomes the {@code detail} so that callers learn what to fix (that last part is
 * service-support's {@code ClientErrorDetails}). Server errors keep their detail to the log.
 */
final class ProblemHandlers {

    private ProblemHandlers() {
    }

    /** Extension members go at the top level, as RFC 9457 has them ({@code "currentVersion": 3}). */
    static MutableHttpResponse<?> render(CommandProblem problem) {
        return ProblemResponses.of(problem.status(), problem.type(), problem.title(), problem.getMessage(),
                problem.members());
    }

    @Produces
    @Singleton
    static final class CommandProblemHandler implements ExceptionHandler<CommandProblem, HttpResponse<?>> {

        @Override
        public HttpResponse<?> handle(HttpRequest request, CommandProblem exception) {
            if (exception.status() == HttpStatus.FORBIDDEN) {
                // a refusal by role rule (a customer naming another owner): one line, as the token refusals have
                org.slf4j.LoggerFactory.getLogger(ProblemHandlers.class).info(
                        "request refused status=403 method={} path={} reason=\"{}\"", request.getMethodName(),
                        request.getPath(), exception.getMessage());
            }
            return render(exception);
        }
    }

    /** Load shedding, not a client's mistake: 503, and unlike outcome-unknown the command was certainly not applied. */
    @Produces
    @Singleton
    static final class QueueFullHandler implements ExceptionHandler<QueueFullException, HttpResponse<?>> {

        @Override
        public HttpResponse<?> handle(HttpRequest request, QueueFullException exception) {
            return render(queueFull(exception)).header("Retry-After", "1");
        }
    }

    static CommandProblem queueFull(QueueFullException exception) {
        return new CommandProblem(HttpStatus.SERVICE_UNAVAILABLE, ProblemTypes.UNAVAILABLE, "Too many commands waiting",
                exception.getMessage(), Map.of());
    }

    @Produces
    @Singleton
    static final class NotCommittedHandler implements ExceptionHandler<NotCommittedException, HttpResponse<?>> {

        @Override
        public HttpResponse<?> handle(HttpRequest request, NotCommittedException exception) {
            if (exception.nothingApplied()) {
                return render(new CommandProblem(HttpStatus.SERVICE_UNAVAILABLE, ProblemTypes.UNAVAILABLE,
                        "Command not applied", "the command was not applied (" + exception.getMessage()
                        + "): send it again", Map.of()))
                        .header("Retry-After", "1");
            }
            return render(new CommandProblem(HttpStatus.SERVICE_UNAVAILABLE, ProblemTypes.OUTCOME_UNKNOWN,
                    "Outcome unknown", "the command's outcome is not known in time (" + exception.getMessage()
                    + "); it may or may not have been applied: retry with the same Idempotency-Key, which answers "
                    + "the first outcome or applies the command once", Map.of()))
                    .header("Retry-After", "1");
        }
    }

    @Produces
    @Singleton
    static final class OwnerRefusedHandler implements ExceptionHandler<OwnerRefusedException, HttpResponse<?>> {

        @Override
        public HttpResponse<?> handle(HttpRequest request, OwnerRefusedException exception) {
            MutableHttpResponse<?> response = ProblemResponses.of(HttpStatus.valueOf(exception.status()),
                    exception.type(), exception.title(), exception.getMessage(), Map.of());
            // RFC 9110 section 15.5.2: a 401 names its scheme; the owner refused the caller's bearer token
            return exception.status() == 401 ? response.header("WWW-Authenticate", "Bearer realm=\"eventbank\"") : response;
        }
    }
}
