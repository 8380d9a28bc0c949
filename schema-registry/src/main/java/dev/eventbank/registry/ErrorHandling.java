package dev.eventbank.registry;

import com.fasterxml.jackson.core.JsonParseException;
import dev.eventbank.http.RefusalTexts;
import dev.eventbank.http.RequestHead;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import io.micronaut.http.server.netty.NettyHttpRequest;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.authentication.AuthorizationException;
import io.micronaut.security.authentication.DefaultAuthorizationExceptionHandler;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every error leaves as Confluent's {@code {"error_code":N,"message":"..."}} with Confluent's content type.
 * {@link RegistryException}s carry their own codes; Micronaut's own errors (malformed JSON, missing body, unknown
 * route, wrong method or media type) get the HTTP status as {@code error_code}, as Confluent's REST layer does;
 * refusals of micronaut-security get 401 with {@code error_code} 401, and 403 with Confluent's 40301. A request
 * line or header fields too long for Netty's decoder are 414 and 431 (not Micronaut's 413), and a request head it
 * refuses otherwise a 400 that says why (not Micronaut's "Bad Request"), see {@link #refusedRequestHead}.
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
            } else if (exception.errorCode() == RegistryException.TIMEOUT) {
                // the store's broker away or slow: an outage to see in one line per request, not a fault to trace
                LOG.warn("{} {} -> {} {}: {}", request.getMethodName(), request.getPath(), exception.status(),
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

    /**
     * A body not in the {@code Content-Encoding} it names (e.g. {@code gzip} on plain JSON): 400 with
     * {@code error_code} 400 and one INFO line. Micronaut's Netty server decodes the body itself and its
     * {@link io.netty.handler.codec.compression.DecompressionException} reached no handler: a client's mistake was a
     * 500 with a stack trace.
     */
    @Produces
    @Singleton
    @Requires(classes = {io.netty.handler.codec.compression.DecompressionException.class, ExceptionHandler.class})
    static final class BodyEncodingHandler
            implements ExceptionHandler<io.netty.handler.codec.compression.DecompressionException, HttpResponse<Api.ErrorResponse>> {

        @Override
        public HttpResponse<Api.ErrorResponse> handle(HttpRequest request,
                                                      io.netty.handler.codec.compression.DecompressionException exception) {
            LOG.info("{} {} -> 400 400: body not in its Content-Encoding", request.getMethodName(), request.getPath());
            return HttpResponse.<Api.ErrorResponse>status(HttpStatus.BAD_REQUEST)
                    .body(new Api.ErrorResponse(400, "the body is not in the Content-Encoding it names: send it so "
                            + "encoded, or without Content-Encoding"))
                    .contentType(Api.V1_JSON);
        }
    }

    /** Replaces Micronaut's JSON error body (it only applies when no other processor is registered). */
    @Singleton
    static final class ConfluentErrorResponseProcessor implements ErrorResponseProcessor<Api.ErrorResponse> {

        @Override
        public MutableHttpResponse<Api.ErrorResponse> processResponse(ErrorContext context,
                                                                      MutableHttpResponse<?> response) {
            refusedRequestHead(context.getRequest()).ifPresent(refused -> response.status(refused.status()));
            int status = response.code();
            String message = refusedRequestHead(context.getRequest()).map(RefusedHead::message)
                    // a target Micronaut could not read as a URI ("Malformed URI") never reaches RequestHeadFilter, and
                    // the request then reported is "/": the target is the URISyntaxException's input
                    .or(() -> status == 400 ? RequestHead.targetRefusal(context.getRootCause()).map(d -> "Bad Request: " + d)
                            : java.util.Optional.empty())
                    .or(() -> unreadableBody(context))
                    // an unhandled exception's message (Micronaut's "Internal Server Error: " + it) can hold a bean
                    // path, a file name, a host: it goes to the log (Micronaut logs it at ERROR), never to the client
                    .or(() -> status >= 500 && context.getRootCause().isPresent()
                            ? java.util.Optional.of(response.reason()) : java.util.Optional.empty())
                    .orElseGet(() -> context.getErrors().stream()
                    .map(Error::getMessage)
                    .findFirst()
                    .orElseGet(() -> "HTTP " + status + " " + response.reason()));
            if (status < 500) {
                LOG.info("{} {} -> {}: {}", context.getRequest().getMethodName(), context.getRequest().getPath(),
                        status, abbreviate(message));
            }
            return response.body(new Api.ErrorResponse(status, message)).contentType(Api.V1_JSON);
        }
    }

    /**
     * A write without valid credentials: 401, {@code {"error_code":401,...}} and {@code WWW-Authenticate} for both
     * schemes the registry takes (RFC 9110 section 11.6.1); valid credentials without a write role: 403 with
     * Confluent's {@code 40301} ("user is denied operation"). One log line, never the credentials.
     */
    @Singleton
    @Produces
    @Requires(classes = AuthorizationException.class)
    @Replaces(DefaultAuthorizationExceptionHandler.class)
    static final class AuthorizationExceptionHandler
            implements ExceptionHandler<AuthorizationException, HttpResponse<Api.ErrorResponse>> {

        @Override
        public HttpResponse<Api.ErrorResponse> handle(HttpRequest request, AuthorizationException exception) {
            Authentication who = exception.getAuthentication();
            if (exception.isForbidden() && who != null) {
                LOG.info("{} {} -> 403 40301: user={} roles={}", request.getMethodName(), request.getPath(),
                        who.getName(), who.getRoles());
                String why = who.getRoles().contains(RegistryRoles.WRITER)
                        ? "the role '" + RegistryRoles.WRITER + "' is the registry's Basic users', a bearer token may not "
                                + "claim it (a token needs '" + RegistryRoles.OPERATOR + "')"
                        : "changing the registry needs the role '" + RegistryRoles.WRITER + "' or '" + RegistryRoles.OPERATOR
                                + "', the user has " + who.getRoles();
                return HttpResponse.<Api.ErrorResponse>status(HttpStatus.FORBIDDEN)
                        .body(new Api.ErrorResponse(40301, "User '" + who.getName() + "' is denied operation "
                                + request.getMethodName() + " " + request.getPath() + ": " + why))
                        .contentType(Api.V1_JSON);
            }
            boolean presented = request.getHeaders().contains(HttpHeaders.AUTHORIZATION);
            String message = presented
                    ? "Unauthorized: the credentials were not accepted (unknown user, wrong password, or a bearer token "
                            + "that is invalid, expired, or from another issuer or audience)"
                    : "Unauthorized: changing the registry needs credentials (HTTP Basic for a configured user, or an "
                            + "operator's bearer token); reads need none";
            LOG.info("{} {} -> 401: {}", request.getMethodName(), request.getPath(),
                    presented ? "credentials refused" : "no credentials");
            return HttpResponse.<Api.ErrorResponse>status(HttpStatus.UNAUTHORIZED)
                    .body(new Api.ErrorResponse(401, message))
                    .contentType(Api.V1_JSON)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"schema-registry\", Bearer realm=\"schema-registry\"");
        }
    }

    /** A status and message for a request head Netty's decoder would not read. */
    record RefusedHead(HttpStatus status, String message) {
    }

    /**
     * For a request whose line or header fields Netty's HTTP decoder refused: 414 URI Too Long (RFC 9110
     * section 15.5.15) for the request line (path and query past {@code micronaut.server.netty.max-initial-line-length},
     * 4096 bytes by default), 431 Request Header Fields Too Large (RFC 6585 section 5) for the header fields (past
     * {@code max-header-size}, 8 KB), with a message saying what to shorten. Micronaut answers both with the 413 it
     * gives every {@code TooLongFrameException}, which is about the body. Any other refusal (a malformed request
     * line, a header line without a colon) is a 400 whose message gives the decoder's reason, where Micronaut's was
     * "Bad Request". Empty for a request the decoder read.
     */
    static java.util.Optional<RefusedHead> refusedRequestHead(HttpRequest<?> request) {
        if (!(request instanceof NettyHttpRequest<?> netty) || !netty.getNativeRequest().decoderResult().isFailure()) {
            return java.util.Optional.empty();
        }
        Throwable cause = netty.getNativeRequest().decoderResult().cause();
        if (cause instanceof TooLongHttpLineException) {
            return java.util.Optional.of(new RefusedHead(HttpStatus.REQUEST_URI_TOO_LONG, "URI Too Long: the request "
                    + "line (method, path and query) is longer than this registry reads; shorten the URL (the "
                    + "subject name, or the query)"));
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return java.util.Optional.of(new RefusedHead(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Request Header "
                    + "Fields Too Large: the request's header fields are larger than this registry reads; send "
                    + "fewer or shorter headers"));
        }
        String reason = cause == null || cause.getMessage() == null
                ? (cause == null ? "unreadable" : cause.getClass().getSimpleName()) : cause.getMessage();
        // the reason may quote the client's bytes
        return java.util.Optional.of(new RefusedHead(HttpStatus.BAD_REQUEST, "Bad Request: "
                + RefusalTexts.notValidHttp(RefusalTexts.printable(reason, 120))));
    }

    /**
     * The message for a request body Jackson could not read, about the body: Micronaut's own text names the
     * parser's source ("at [Source: REDACTED ...]"), for JSON of the wrong shape our request class, for no body our
     * parameter's name. Empty when the error is not about the body.
     */
    static java.util.Optional<String> unreadableBody(ErrorContext context) {
        for (Throwable cause = context.getRootCause().orElse(null); cause != null; cause = cause.getCause()) {
            if (cause instanceof io.micronaut.web.router.exceptions.UnsatisfiedBodyRouteException) {
                return java.util.Optional.of("Invalid request body: this endpoint takes a JSON object, and the body was empty");
            }
            if (cause instanceof JsonParseException parse) {
                return java.util.Optional.of("Invalid JSON: " + withoutJacksonSource(parse.getOriginalMessage()));
            }
            if (cause instanceof StreamConstraintsException constraints) {
                // too deep, too long a number or string: about the body, in Jackson's words without its API names
                return java.util.Optional.of("Invalid JSON: " + withoutJacksonSource(constraints.getOriginalMessage()));
            }
            if (cause instanceof JsonMappingException mapping) {
                String field = mapping.getPath().stream()
                        .map(reference -> reference.getFieldName() != null ? reference.getFieldName()
                                : "[" + reference.getIndex() + "]")
                        .collect(java.util.stream.Collectors.joining("."));
                return java.util.Optional.of(field.isEmpty()
                        ? "Invalid request body: this endpoint takes a JSON object"
                        : "Invalid request body: '" + field + "' is not of the type this endpoint takes");
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * {@code message} without Jackson's "at [Source: REDACTED (...); line: 1, column: 2]" and "(start marker at
     * [Source: ...])", which describe the parser rather than the input, without the name of the setting behind a
     * limit (", from `StreamReadConstraints.getMaxNestingDepth()`") or a parser feature ("enable
     * `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow", "Feature 'ALLOW_COMMENTS' not enabled") and without a
     * leading exception class name
     * ("com.fasterxml.jackson.core.exc.StreamConstraintsException: ", as Avro wraps Jackson's errors). The same
     * source rule as service-support's {@code JacksonMessages.withoutSource}, repeated here because the registry
     * does not depend on service-support: its beans (problem+json error processor, authorization handler,
     * correlation filter) would replace the registry's Confluent error bodies.
     */
    static String withoutJacksonSource(String message) {
        return String.valueOf(message).replaceAll("\\s*\\(start marker at \\[Source:[^\\]]*\\]\\)", "")
                .replaceAll("\\s*at \\[Source:[^\\]]*\\]", "").replaceAll("\\s*\\[Source:[^\\]]*\\]", "")
                .replaceAll(",\\s*from `[^`]*`", "")
                .replaceAll(": enable `[A-Za-z.]*Feature\\.[A-Z_]+` to allow", " (not JSON)")
                .replaceAll(" \\(not recognized as one since Feature '[A-Z_]+' not enabled for parser\\)", " JSON has no comments")
                .replaceAll("^(?:[a-z]\\w*\\.)+[A-Z]\\w*(?:Exception|Error): ", "");
    }

    /** One log line per error: Jackson's messages span lines, and schemas can be long. */
    private static String abbreviate(String message) {
        String line = message.replaceAll("\\s*\\R\\s*", " ");
        return line.length() <= 300 ? line : line.substring(0, 300) + "...";
    }
}
