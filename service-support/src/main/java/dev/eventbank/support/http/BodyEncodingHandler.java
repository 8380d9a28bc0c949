package dev.eventbank.support.http;

import dev.eventbank.support.problem.ProblemResponses;
import dev.eventbank.support.problem.ProblemTypes;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.netty.handler.codec.compression.DecompressionException;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * A body that is not in the {@code Content-Encoding} it names, of the codings Micronaut's Netty server decodes
 * ({@code gzip} or {@code deflate} on plain JSON): a 400 problem and one INFO line, nothing read (a coding it does not
 * decode is a 415, {@link SingleValuedHeaders}). Why: Micronaut's Netty server decodes such bodies itself and its
 * {@link DecompressionException} reached no handler, so the client's mistake was a 500 with an ERROR and a stack
 * trace (found by a helper trying to break the stack; gzip and deflate alike). A body in the encoding it names is
 * decoded and read as before.
 */
@Produces
@Singleton
@Requires(classes = DecompressionException.class)
public final class BodyEncodingHandler implements ExceptionHandler<DecompressionException, HttpResponse<?>> {

    private static final Logger LOG = LoggerFactory.getLogger(BodyEncodingHandler.class);

    @Override
    public HttpResponse<?> handle(HttpRequest request, DecompressionException exception) {
        // not the header: Netty's decoder has taken it off the request by now
        LOG.info("request refused status=400 method={} path={} reason=\"body not in its Content-Encoding\" error=\"{}\"",
                request.getMethodName(), request.getPath(), exception.getMessage());
        return ProblemResponses.of(HttpStatus.BAD_REQUEST, ProblemTypes.INVALID_REQUEST, "Invalid request",
                "the body is not in the Content-Encoding it names: send it so encoded, or without Content-Encoding",
                Map.of());
    }
}
