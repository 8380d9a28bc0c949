package dev.eventbank.support.problem;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/**
 * A client error found by a rule service-support keeps for every service (a request body's media type or
 * encoding, see {@code JsonBody}), answered as {@code application/problem+json} (RFC 9457) with a type from
 * {@link ProblemTypes} by the {@link Handler} bean, which every service with service-support on its class path has.
 * Carries no stack trace: it is an answer, not a bug.
 */
public final class ProblemException extends RuntimeException {

    private final HttpStatus status;
    private final String type;
    private final String title;

    /**
     * @param status a 4xx status
     * @param type   a type of {@link ProblemTypes}
     * @param title  the short, fixed summary of the type
     * @param detail what is wrong with this request and what to send instead
     */
    public ProblemException(HttpStatus status, String type, String title, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
    }

    /** 400 {@link ProblemTypes#INVALID_REQUEST}. */
    public static ProblemException badRequest(String detail) {
        return new ProblemException(HttpStatus.BAD_REQUEST, ProblemTypes.INVALID_REQUEST, "Invalid request", detail);
    }

    /** 415 {@link ProblemTypes#UNSUPPORTED_MEDIA_TYPE}. */
    public static ProblemException unsupportedMediaType(String detail) {
        return new ProblemException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, ProblemTypes.UNSUPPORTED_MEDIA_TYPE,
                "Unsupported Media Type", detail);
    }

    public HttpStatus status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    /** Renders {@link ProblemException}s. */
    @Produces
    @Singleton
    static final class Handler implements ExceptionHandler<ProblemException, HttpResponse<?>> {

        @Override
        public HttpResponse<?> handle(HttpRequest request, ProblemException exception) {
            return ProblemResponses.of(exception.status(), exception.type(), exception.title(), exception.getMessage(),
                    java.util.Map.of());
        }
    }
}
