package dev.eventbank.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * How a request's body is delimited (RFC 9112 section 6): a request whose framing two parties could read differently
 * is answered 400 and its connection closed, before any of it reaches the application. Found by a hostile tryout:
 * behind a proxy that frames by {@code Content-Length}, the bytes after a body framed otherwise ran as a request of
 * their own (two deposits for one), and the services kept the connection open:
 * <ul>
 *   <li>{@code Content-Length} and {@code Transfer-Encoding} together: Netty reads the body as chunked and drops the
 *       length (RFC 9112 section 6.1 allows that only if the server then closes the connection, which it did not);</li>
 *   <li>a {@code Transfer-Encoding} other than {@code chunked} alone ({@code xchunked}, {@code gzip, chunked},
 *       {@code chunked, gzip}): Netty read a body it did not recognise as none, and the body as the next request
 *       (section 6.1: "the server MUST respond with the 400 (Bad Request) status code and then close the
 *       connection");</li>
 *   <li>any {@code Transfer-Encoding} in an HTTP/1.0 request, whose framing section 6.1 calls faulty.</li>
 * </ul>
 * And, from a second tryout: a request sent after one that closes the connection ({@code Connection: close}, HTTP/1.0
 * without keep-alive) ran, unanswered (section 9.6: "MUST NOT process any further requests"), and a chunked body the
 * decoder failed on (a malformed chunk size) ran its request on the part before and left the connection open and
 * dead: now nothing after such a request is passed on, and such a body closes the connection at once.
 *
 * <p>Why our own code: Netty's decoder has no setting for these (it drops the {@code Content-Length} in
 * {@code HttpObjectDecoder#handleTransferEncodingChunkedWithContentLength}), and the application's filters run too
 * late: the next request is already decoded from the same bytes. So {@link #install} puts Micronaut's HTTP/1.1 codec
 * back with headers that remember a dropped length ({@link FramingHeaders}), and a handler right after it that
 * refuses such a request, discards everything after it on the connection and closes it.
 */
public final class MessageFraming {

    /** The name Micronaut gives its HTTP/1.1 codec in a connection's pipeline (micronaut-http-server-netty 4.10). */
    static final String CODEC = "http-server-codec";
    /** The name of {@link Guard} in the pipeline. */
    static final String GUARD = "eventbank-message-framing";

    private MessageFraming() {
    }

    /**
     * The detail of a 400 for {@code request}'s framing, or empty when it is sound.
     *
     * @param request a request as Netty's decoder gave it, its headers {@link FramingHeaders} when decoded by a codec
     *                {@link #install} made
     */
    public static Optional<String> refusal(HttpRequest request) {
        List<String> encodings = request.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (encodings.isEmpty()) {
            return Optional.empty();
        }
        // Netty drops the length only for a request line of exactly HTTP/1.1 (an identity check on its version); for
        // http/1.1 or HTTP/1.2 it reads the body as chunked and keeps Content-Length, so both are looked for
        if (request.headers() instanceof FramingHeaders framing && framing.contentLengthDropped
                || request.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
            return Optional.of("a request has Content-Length or Transfer-Encoding, not both (RFC 9112 section 6.1: "
                    + "the two can delimit its body differently); send one. The connection is closed");
        }
        String sent = RefusalTexts.printable(String.join(", ", encodings), 60);
        if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            return Optional.of("an HTTP/1.0 request cannot have a Transfer-Encoding (RFC 9112 section 6.1), got '" + sent
                    + "': send Content-Length. The connection is closed");
        }
        List<String> codings = new ArrayList<>();
        for (String value : encodings) {
            for (String coding : value.split(",", -1)) {
                codings.add(coding.trim().toLowerCase(Locale.ROOT));
            }
        }
        if (!codings.equals(List.of("chunked"))) {
            return Optional.of("Transfer-Encoding must be chunked alone (RFC 9112 section 6.1; a body in another coding "
                    + "goes with Content-Encoding), got '" + sent + "': its body's length cannot be known. The "
                    + "connection is closed");
        }
        return Optional.empty();
    }

    /**
     * Replaces Micronaut's HTTP/1.1 codec in {@code pipeline} by the same codec whose headers remember a dropped
     * {@code Content-Length}, and adds the {@link Guard} after it. Does nothing to a pipeline without that codec
     * (HTTP/2).
     *
     * @param decoder the settings of the codec it replaces (Micronaut's {@code micronaut.server.netty.*}); its headers
     *                factory is replaced, validating as {@code validateHeaders} says
     * @param refused renders a refusal's detail as the whole response (status 400, the service's error shape); the
     *                guard adds {@code Connection: close} and the length
     */
    public static void install(ChannelPipeline pipeline, HttpDecoderConfig decoder, boolean validateHeaders,
                               Function<String, FullHttpResponse> refused) {
        if (!(pipeline.get(CODEC) instanceof HttpServerCodec)) {
            return;
        }
        HttpDecoderConfig config = decoder.clone().setHeadersFactory(new FramingHeadersFactory(validateHeaders));
        pipeline.replace(CODEC, CODEC, new HttpServerCodec(config));
        pipeline.addAfter(CODEC, GUARD, new Guard(refused));
    }

    /**
     * {@code text} as the inside of a JSON string, for a refusal's body written without a JSON library on the event
     * loop: the details are printable ASCII ({@link RefusalTexts#printable}), so quotes and backslashes are all.
     */
    public static String jsonText(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** Request headers that remember the decoder dropping {@code Content-Length} for {@code Transfer-Encoding}. */
    static final class FramingHeaders extends DefaultHttpHeaders {

        boolean contentLengthDropped;

        FramingHeaders(boolean validate) {
            super(validate);
        }

        @Override
        public HttpHeaders remove(CharSequence name) {
            if (HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name) && contains(HttpHeaderNames.CONTENT_LENGTH)
                    && contains(HttpHeaderNames.TRANSFER_ENCODING)) {
                contentLengthDropped = true;
            }
            return super.remove(name);
        }

        @Override
        public HttpHeaders remove(String name) {
            return remove((CharSequence) name);
        }
    }

    private record FramingHeadersFactory(boolean validate) implements HttpHeadersFactory {

        @Override
        public HttpHeaders newHeaders() {
            return new FramingHeaders(validate);
        }

        @Override
        public HttpHeaders newEmptyHeaders() {
            return new FramingHeaders(validate);
        }
    }

    /**
     * Per connection, right after the codec: passes sound requests on; answers the first unsound one itself, after
     * the answers to the requests before it on the connection (HTTP/1.1 answers in order), then drops whatever the
     * connection brings after it (its body, requests pipelined behind it) and closes.
     */
    static final class Guard extends ChannelDuplexHandler {

        private final Function<String, FullHttpResponse> refused;
        /** Requests passed on whose answer has not been written to its end yet. */
        private int unanswered;
        private String pendingRefusal;
        private boolean closing;
        /** The request being read closes the connection (Connection: close, HTTP/1.0 without keep-alive). */
        private boolean lastOnConnection;

        Guard(Function<String, FullHttpResponse> refused) {
            this.refused = refused;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (closing) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (!(msg instanceof HttpRequest request)) {
                if (msg instanceof HttpContent content && content.decoderResult().isFailure()) {
                    // a body the decoder could not read to its end (a malformed chunk size): its request must not
                    // run on the part before, and the decoder reads nothing more on this connection, which stayed
                    // open and dead
                    ReferenceCountUtil.release(msg);
                    closing = true;
                    ctx.close();
                    return;
                }
                ctx.fireChannelRead(msg);
                if (lastOnConnection && msg instanceof LastHttpContent) {
                    // RFC 9112 section 9.6: after a request that closes the connection, no request is processed
                    closing = true;
                }
                return;
            }
            Optional<String> refusal = refusal(request);
            if (refusal.isEmpty()) {
                unanswered++;
                lastOnConnection = !HttpUtil.isKeepAlive(request);
                ctx.fireChannelRead(msg);
                return;
            }
            ReferenceCountUtil.release(msg);
            closing = true;
            ctx.channel().config().setAutoRead(false);
            if (unanswered == 0) {
                refuse(ctx, refusal.get());
            } else {
                pendingRefusal = refusal.get();
            }
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            // the end of an answer (an interim 1xx answers nothing yet)
            boolean answered = msg instanceof LastHttpContent && !(msg instanceof HttpResponse response
                    && response.status().codeClass() == io.netty.handler.codec.http.HttpStatusClass.INFORMATIONAL);
            ctx.write(msg, promise);
            if (answered && unanswered > 0) {
                unanswered--;
                if (unanswered == 0 && pendingRefusal != null) {
                    String detail = pendingRefusal;
                    pendingRefusal = null;
                    refuse(ctx, detail);
                }
            }
        }

        private void refuse(ChannelHandlerContext ctx, String detail) {
            FullHttpResponse response = refused.apply(detail);
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
