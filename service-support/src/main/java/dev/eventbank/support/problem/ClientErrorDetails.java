package dev.eventbank.support.problem;

import dev.eventbank.http.RefusalTexts;
import dev.eventbank.support.text.TextRule;

import dev.eventbank.support.logging.CorrelationIdFilter;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.core.annotation.NonNull;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.netty.NettyHttpRequest;
import io.micronaut.problem.HttpStatusType;
import io.micronaut.problem.ProblemErrorResponseProcessor;
import io.micronaut.problem.conf.ProblemConfiguration;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import jakarta.inject.Singleton;
import org.zalando.problem.Problem;
import org.zalando.problem.ProblemBuilder;
import org.zalando.problem.ThrowableProblem;

import java.net.URI;
import java.util.UUID;

/**
 * Framework errors (unknown route, 405, 413, 415, unreadable body, ...) as {@code application/problem+json}
 * through micronaut-problem-json, with a {@code type} from the one catalogue ({@link ProblemTypes#forStatus}) and
 * the framework's message as the {@code detail} of client errors, because that is what tells the caller what to fix
 * (the processor hides it by default). Server errors keep their detail to the log. A bean: every service that has
 * service-support on its class path gets it, replacing micronaut-problem-json's own processor.
 *
 * <p>Corrections to what Micronaut 4 answers by itself (a path no route has is "Page Not Found" there; here the
 * detail names the method and path that had none):
 * <ul>
 *   <li>A request line longer than {@code micronaut.server.netty.max-initial-line-length} is 414 URI Too Long
 *       (RFC 9110 section 15.5.15) and header fields larger than {@code max-header-size} are 431 Request Header
 *       Fields Too Large (RFC 6585 section 5), not the 413 Content Too Large Micronaut gives every
 *       {@code TooLongFrameException} of Netty's HTTP decoder, since 413 is about the body.</li>
 *   <li>A request Netty's decoder refuses otherwise (a malformed request line or header field) is a 400 whose detail
 *       gives the decoder's reason, where Micronaut's was "Bad Request".</li>
 *   <li>Such errors are answered before any filter runs, so the {@code X-Correlation-Id} is echoed here when the
 *       response has none: the request's, when it could be read and follows the rule of
 *       {@link CorrelationIdFilter}, else a generated one.</li>
 * </ul>
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
    public MutableHttpResponse<Problem> processResponse(@NonNull ErrorContext errorContext,
                                                        @NonNull MutableHttpResponse<?> response) {
        HttpRequest<?> request = errorContext.getRequest();
        Throwable cause = decoderFailure(request);
        if (cause != null) {
            if (cause instanceof TooLongHttpLineException) {
                response.status(HttpStatus.REQUEST_URI_TOO_LONG);
            } else if (cause instanceof TooLongHttpHeaderException) {
                response.status(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE);
            }
        }
        if (!response.getHeaders().contains(CorrelationIdFilter.HEADER)) {
            String given = request.getHeaders().get(CorrelationIdFilter.HEADER);
            response.header(CorrelationIdFilter.HEADER, CorrelationIdFilter.of(request)
                    .orElse(CorrelationIdFilter.isValid(given) ? given : UUID.randomUUID().toString()));
        }
        return super.processResponse(errorContext, response);
    }

    /** Why Netty's HTTP decoder refused the request, or null when it decoded it. */
    private static Throwable decoderFailure(HttpRequest<?> request) {
        return request instanceof NettyHttpRequest<?> netty && netty.getNativeRequest().decoderResult().isFailure()
                ? netty.getNativeRequest().decoderResult().cause() : null;
    }

    @Override
    @NonNull
    protected ThrowableProblem defaultProblem(@NonNull ErrorContext errorContext, @NonNull HttpStatus httpStatus) {
        URI type = URI.create(ProblemTypes.forStatus(httpStatus));
        if (httpStatus.getCode() < 400 || httpStatus.getCode() >= 500) {
            return Problem.builder().withType(type).withStatus(new HttpStatusType(httpStatus))
                    .withTitle(httpStatus.getReason()).build();
        }
        ProblemBuilder problem = Problem.builder().withType(type).withStatus(new HttpStatusType(httpStatus));
        if (httpStatus == HttpStatus.REQUEST_URI_TOO_LONG || httpStatus == HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE) {
            return problem.withTitle(httpStatus.getReason()).withDetail(httpStatus == HttpStatus.REQUEST_URI_TOO_LONG
                    ? "the request line (method, path and query) is longer than this service reads; shorten the URL"
                    : "the request's header fields are larger than this service reads; send fewer or shorter headers")
                    .build();
        }
        // a target Micronaut could not read as a URI (a % that starts no encoded byte: "Malformed URI") never reaches
        // the request-head filter, and the request then reported is "/": the same rule, on the exception's input
        java.util.Optional<String> brokenHead = httpStatus == HttpStatus.BAD_REQUEST
                ? dev.eventbank.http.RequestHead.targetRefusal(errorContext.getRootCause()) : java.util.Optional.empty();
        if (brokenHead.isPresent()) {
            return problem.withTitle("Invalid request").withDetail(brokenHead.get()).build();
        }
        Throwable malformed = decoderFailure(errorContext.getRequest());
        if (httpStatus == HttpStatus.BAD_REQUEST && malformed != null) {
            // Netty's decoder refused the request itself (its detail was "Bad Request"): say what it found
            return problem.withTitle(httpStatus.getReason()).withDetail(RefusalTexts.notValidHttp(TextRule.quote(
                    malformed.getMessage() == null ? malformed.getClass().getSimpleName() : malformed.getMessage(),
                    120))).build();
        }
        if (errorContext.getErrors().isEmpty()) {
            return problem.withTitle(httpStatus.getReason()).withDetail(httpStatus.getReason()).build();
        }
        Error error = errorContext.getErrors().get(0);
        if (httpStatus == HttpStatus.NOT_FOUND && "Page Not Found".equals(error.getMessage())) {
            // Micronaut's own text for a path no route has (other 404s, e.g. an endpoint with no value, keep theirs):
            // say which request had none
            HttpRequest<?> request = errorContext.getRequest();
            return problem.withTitle(httpStatus.getReason()).withDetail("this service has no route " + request.getMethodName()
                    + " " + TextRule.quote(request.getPath(), 100)).build();
        }
        problem.withTitle(error.getTitle().orElse(httpStatus.getReason())).withDetail(error.getMessage());
        error.getPath().ifPresent(path -> problem.with("path", path));
        return problem.build();
    }
}
