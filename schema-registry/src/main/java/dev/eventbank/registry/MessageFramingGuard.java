package dev.eventbank.registry;

import dev.eventbank.http.MessageFraming;
import dev.eventbank.http.MessageFramingInstaller;
import io.micronaut.http.server.netty.configuration.NettyHttpServerConfiguration;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

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
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST,
                Unpooled.wrappedBuffer(body.getBytes(StandardCharsets.UTF_8)));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, Api.V1_JSON);
        return response;
    }
}
