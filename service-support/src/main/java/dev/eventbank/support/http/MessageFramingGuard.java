package dev.eventbank.support.http;

import dev.eventbank.http.MessageFraming;
import dev.eventbank.http.MessageFramingInstaller;
import dev.eventbank.support.logging.CorrelationIdFilter;
import dev.eventbank.support.problem.ProblemResponses;
import dev.eventbank.support.problem.ProblemTypes;
import io.micronaut.http.server.netty.configuration.NettyHttpServerConfiguration;
import io.netty.handler.codec.http.FullHttpResponse;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/**
 * {@link MessageFraming} in every service with service-support (command, projection, query): a request whose body's
 * framing two parties could read differently is a 400 {@code /problems/invalid-request} problem document, and its
 * connection is closed. It is answered before any filter, so it gets a correlation id of its own here (the request's
 * is not read: nothing of the request is trusted) and one log line, as {@link RequestHeadFilter}'s refusals do.
 */
@Singleton
public final class MessageFramingGuard extends MessageFramingInstaller {

    private static final Logger LOG = LoggerFactory.getLogger(MessageFramingGuard.class);

    public MessageFramingGuard(NettyHttpServerConfiguration server) {
        super(server);
    }

    @Override
    protected FullHttpResponse refusal(String detail) {
        String correlationId = UUID.randomUUID().toString();
        LOG.info("request refused before routing status=400 correlationId={} reason=\"{}\"", correlationId, detail);
        String body = "{\"type\":\"" + ProblemTypes.INVALID_REQUEST + "\",\"title\":\"Invalid request\",\"status\":400,"
                + "\"detail\":\"" + MessageFraming.jsonText(detail) + "\"}";
        FullHttpResponse response = badRequest(body, ProblemResponses.APPLICATION_PROBLEM_JSON);
        response.headers().set(CorrelationIdFilter.HEADER, correlationId);
        return response;
    }
}
