package dev.eventbank.registry;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every error leaves as Confluent's {@code {"error_code":N,"message":"..."}} with Confluent's content type.
 * {@link RegistryException}s carry their own codes; Micronaut's own errors (malformed JSON, missing body, unknown
 * route, wrong method or media type) get the HTTP status as {@code error_code}, as Confluent's REST layer does.
 */
final class ErrorHandling {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorHandling.class);

    private ErrorHandling() {
    }

    /** Maps {@link RegistryException} to its status and code; client errors are logged as one line. */
    @Produces
    @Singleton
    @Requires(classes = {RegistryException.class, ExceptionHandler.class})
    static final class RegistryExceptionHandler
            implements ExceptionHandler<RegistryException, HttpResponse<Api.ErrorResponse>> {

        @Override
        public HttpResponse<Api.ErrorResponse> handle(HttpRequest request, RegistryException exception) {
            if (exception.isClientError()) {
                LOG.info("{} {} -> {} {}: {}", request.getMethodName(), request.getPath(), exception.status(),
                        exception.errorCode(), abbreviate(exception.getMessage()));
            } else {
                LOG.error("{} {} -> {} {}", request.getMethodName(), request.getPath(), exception.status(),
                        exception.errorCode(), exception);
            }
            return HttpResponse.<Api.ErrorResponse>status(HttpStatus.valueOf(exception.status()))
                    .body(new Api.ErrorResponse(exception.errorCode(), exception.getMessage()))
                    .contentType(Api.V1_JSON);
        }
    }

    /** Replaces Micronaut's JSON error body (it only applies when no other processor is registered). */
    @Singleton
    static final class ConfluentErrorResponseProcessor implements ErrorResponseProcessor<Api.ErrorResponse> {

        @Override
        public MutableHttpResponse<Api.ErrorResponse> processResponse(ErrorContext context,
                                                                      MutableHttpResponse<?> response) {
            int status = response.code();
            String message = context.getErrors().stream()
                    .map(Error::getMessage)
                    .findFirst()
                    .orElseGet(() -> "HTTP " + status + " " + response.reason());
            if (status < 500) {
                LOG.info("{} {} -> {}: {}", context.getRequest().getMethodName(), context.getRequest().getPath(),
                        status, abbreviate(message));
            }
            return response.body(new Api.ErrorResponse(status, message)).contentType(Api.V1_JSON);
        }
    }

    /** One log line per error: Jackson's messages span lines, and schemas can be long. */
    private static String abbreviate(String message) {
        String line = message.replaceAll("\\s*\\R\\s*", " ");
        return line.length() <= 300 ? line : line.substring(0, 300) + "...";
    }
}
