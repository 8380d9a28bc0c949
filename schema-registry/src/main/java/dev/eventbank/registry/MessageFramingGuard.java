package dev.eventbank.registry;

import dev.eventbank.http.MessageFraming;
import dev.eventbank.http.MessageFramingInstaller;
import io.micronaut.http.server.netty.configuration.NettyHttpServerConfiguration;
import io.netty.handler.codec.http.FullHttpResponse;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link MessageFraming} in the registry: a request whose body's framing two parties could read differently is
 * Confluent's {@code {"error_code":400,"message":"Bad Request: ..."}}, as {@link RequestHeadFilter}'s refusals, and
 * its connection is closed.
 */
@Singleton
final class MessageFramingGuard extends MessageFramingInstaller {

    private static final Logger LOG = LoggerFactory.getLogger(MessageFramingGuard.class);

    MessageFramingGuard(NettyHttpServerConfiguration server) {
        super(server);
    }

    @Override
    protected FullHttpResponse refusal(String detail) {
        LOG.info("request refused before routing status=400 reason=\"{}\"", detail);
        String body = "{\"error_code\":400,\"message\":\"Bad Request: "
                + MessageFraming.jsonText(detail) + "\"}";
        return badRequest(body, Api.V1_JSON);
    }
}
