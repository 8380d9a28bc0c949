package dev.eventbank.http;

import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.micronaut.http.server.netty.configuration.NettyHttpServerConfiguration;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;

/**
 * Puts {@link MessageFraming} into every HTTP/1.1 connection of a Micronaut server, through Micronaut's documented
 * hook for the pipeline ({@link NettyServerCustomizer}). Each server makes a bean of a subclass, which says how its
 * refusal looks ({@link #refusal}): the services a problem document, the registry Confluent's error.
 */
public abstract class MessageFramingInstaller implements BeanCreatedEventListener<NettyServerCustomizer.Registry> {

    /** The decoder limits of the codec it replaces (Micronaut's {@code micronaut.server.netty.*}), read once. */
    private final HttpDecoderConfig decoder;
    private final boolean validateHeaders;

    /** @param server the server's settings, whose decoder limits the replaced codec keeps */
    protected MessageFramingInstaller(NettyHttpServerConfiguration server) {
        this.decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(server.getMaxInitialLineLength())
                .setMaxHeaderSize(server.getMaxHeaderSize())
                .setMaxChunkSize(server.getMaxChunkSize())
                .setInitialBufferSize(server.getInitialBufferSize());
        this.validateHeaders = server.isValidateHeaders();
    }

    /**
     * The whole 400 answer to a request refused for its framing, with {@code detail} ({@link MessageFraming#refusal})
     * in the server's error shape; {@code Connection: close} and the length are added. Called on the connection's
     * event loop: must not block. Logs, if the server logs its refusals, are its to write here.
     */
    protected abstract FullHttpResponse refusal(String detail);

    @Override
    public NettyServerCustomizer.Registry onCreated(BeanCreatedEvent<NettyServerCustomizer.Registry> event) {
        NettyServerCustomizer.Registry registry = event.getBean();
        registry.register(new PerConnection(null));
        return registry;
    }

    /** A 400 answer with {@code body} (UTF-8) of {@code contentType}, for {@link #refusal}. */
    protected static FullHttpResponse badRequest(String body, String contentType) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST,
                Unpooled.wrappedBuffer(body.getBytes(StandardCharsets.UTF_8)));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        return response;
    }

    private final class PerConnection implements NettyServerCustomizer {

        private final Channel connection;

        PerConnection(Channel connection) {
            this.connection = connection;
        }

        @Override
        public NettyServerCustomizer specializeForChannel(Channel channel, ChannelRole role) {
            return role == ChannelRole.CONNECTION ? new PerConnection(channel) : this;
        }

        @Override
        public void onStreamPipelineBuilt() {
            if (connection != null) {
                MessageFraming.install(connection.pipeline(), decoder, validateHeaders, MessageFramingInstaller.this::refusal);
            }
        }
    }
}
