package dev.eventbank.http;

import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Rules of HTTP/1.1 that Netty's decoder and Micronaut let through, checked before routing in every service and the
 * registry (each answers a refusal as a 400 in its own error shape). Found by a new user trying the stack:
 * <ul>
 *   <li>Method names are case-sensitive (RFC 9110 section 9.1), but Micronaut parses {@code post} as {@code POST}
 *       when it is not a method it knows, so {@code curl -X post} deposited money.</li>
 *   <li>An HTTP/1.1 request must have a {@code Host}, no request may have two, and its value is a host with an
 *       optional port (RFC 9112 section 3.2: a server "MUST respond with a 400"); one with none, two or {@code a b}
 *       was answered, and so was an {@code HTTP/2.0} request line in clear text.</li>
 *   <li>A request target is US-ASCII (RFC 9112 section 3.2, RFC 3986): Netty reads each other byte as one ISO-8859-1
 *       character, so a raw {@code owner=José} was searched for as {@code JosÃ©} and found nothing, silently.</li>
 *   <li>A {@code %} in a target starts a percent-encoded byte (RFC 3986 section 2.1): {@code ?owner=%zz} was a 400
 *       titled and detailed only "Malformed URI"; and those bytes are UTF-8 (section 2.5): {@code /subjects/%FF} and
 *       {@code /subjects/%C3} both named the subject U+FFFD.</li>
 * </ul>
 */
public final class RequestHead {

    private RequestHead() {
    }

    /**
     * {@link #refusal(String, String, int, int, List, String)} of {@code request}, its method, version and target as
     * sent (Netty's request line). A request of another server is checked for the method's case only: Micronaut's own
     * accessors give a decoded path without the query and report HTTP/1.0 as HTTP/1.1.
     */
    public static Optional<String> refusal(io.micronaut.http.HttpRequest<?> request) {
        io.micronaut.http.HttpMethod method = request.getMethod();
        String standard = method == io.micronaut.http.HttpMethod.CUSTOM ? null : method.name();
        if (!(request instanceof io.micronaut.http.server.netty.NettyHttpRequest<?> netty)) {
            return refusal(request.getMethodName(), standard, 1, 0, List.of(), "");
        }
        io.netty.handler.codec.http.HttpRequest line = netty.getNativeRequest();
        return refusal(line.method().name(), standard, line.protocolVersion().majorVersion(),
                line.protocolVersion().minorVersion(), request.getHeaders().getAll(io.micronaut.http.HttpHeaders.HOST),
                line.uri());
    }

    /**
     * The rules on a target alone, for a request Micronaut refused before any filter ran: a target {@link java.net.URI}
     * cannot read ("Malformed URI", a {@code %} that starts no encoded byte), after which the request Micronaut
     * reports is {@code /}, so the target is the {@link java.net.URISyntaxException}'s input (micronaut-http-server
     * 4.10, {@code URISyntaxHandler}).
     *
     * @param cause the error's root cause
     * @return the detail of a 400, or empty when {@code cause} is no {@code URISyntaxException} or its input keeps
     *     the rules
     */
    public static Optional<String> targetRefusal(Optional<Throwable> cause) {
        return cause.filter(java.net.URISyntaxException.class::isInstance)
                .flatMap(e -> refusal("GET", null, 1, 0, List.of(), ((java.net.URISyntaxException) e).getInput()));
    }

    /**
     * @param methodName the request line's method as sent
     * @param method     the standard method Micronaut parsed it as ({@code POST}), or null for one it does not know
     * @param major      the request line's HTTP major version
     * @param minor      its minor version (1.1 and later 1.x need a {@code Host}; no request may have two)
     * @param hosts      the request's {@code Host} header lines
     * @param target     the request target as Netty read it: one character per byte (ISO-8859-1)
     * @return the detail of a 400 (a sentence saying what to change), or empty when the request head keeps the rules
     */
    public static Optional<String> refusal(String methodName, String method, int major, int minor, List<String> hosts,
                                           String target) {
        if (major != 1) {
            // 505 would be the code (RFC 9110 section 15.6.6), but a client's mistake is never a 5xx here
            return Optional.of("this API speaks HTTP/1.1 and HTTP/1.0, the request line names HTTP/" + major + "."
                    + minor + " (HTTP/2 needs TLS with ALPN)");
        }
        if (method != null && !method.equals(methodName)) {
            return Optional.of("method names are case-sensitive (RFC 9110 section 9.1): '" + RefusalTexts.printable(methodName, 20)
                    + "' is not a method of this API; send '" + method + "'");
        }
        if (hosts.size() > 1 || minor >= 1 && hosts.isEmpty()) {
            return Optional.of(hosts.isEmpty()
                    ? "an HTTP/1.1 request must have a Host header (RFC 9112 section 3.2)"
                    : "Host must be given once, got it on " + hosts.size() + " lines (RFC 9112 section 3.2)");
        }
        if (hosts.size() == 1 && !HOST.matcher(hosts.get(0)).matches()) {
            return Optional.of("Host '" + RefusalTexts.printable(hosts.get(0), 60) + "' is not a host with an optional port (RFC 9112 "
                    + "section 3.2, RFC 3986 section 3.2.2)");
        }
        boolean encoded = false;
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c > 0x7E || c < 0x21) {
                return Optional.of("the request target (path and query) must be printable US-ASCII (RFC 3986): "
                        + shown(target, i) + "; percent-encode it as its UTF-8 bytes");
            }
            if (c == '%') {
                if (i + 2 >= target.length() || !java.util.HexFormat.isHexDigit(target.charAt(i + 1))
                        || !java.util.HexFormat.isHexDigit(target.charAt(i + 2))) {
                    return Optional.of("the request target (path and query) has a '%' not followed by two "
                            + "hexadecimal digits ('" + RefusalTexts.printable(target.substring(i, Math.min(target.length(), i + 3)), 3)
                            + "'): send a % itself as %25 (RFC 3986 section 2.1)");
                }
                encoded = true;
            }
        }
        return encoded ? notUtf8(target) : Optional.empty();
    }

    /** {@code uri-host [":" port]} (RFC 3986 section 3.2.2): an IP literal, or a name of unreserved, sub-delims, %XX. */
    private static final java.util.regex.Pattern HOST = java.util.regex.Pattern.compile(
            "(\\[[0-9A-Fa-f:.vV]+]|([A-Za-z0-9._~!$&'()*+,;=-]|%[0-9A-Fa-f]{2})*)(:[0-9]*)?");

    /**
     * Whether the percent-encoded bytes of the path and of each query parameter are UTF-8 (RFC 3986 section 2.5):
     * Micronaut decodes a malformed sequence to U+FFFD silently, so {@code owner=%FF%FE} searched for two replacement
     * characters, and {@code /subjects/%FF} and {@code /subjects/%C3} named the same subject.
     */
    private static Optional<String> notUtf8(String target) {
        int query = target.indexOf('?');
        if (!utf8(query < 0 ? target : target.substring(0, query))) {
            return Optional.of("the path is not valid UTF-8: percent-encode the UTF-8 bytes of its text (RFC 3986)");
        }
        if (query >= 0) {
            for (String pair : target.substring(query + 1).split("&")) {
                if (!utf8(pair)) {
                    String name = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
                    return Optional.of("query parameter '" + RefusalTexts.printable(name, 40) + "' is not valid UTF-8: "
                            + "percent-encode the UTF-8 bytes of its text (RFC 3986)");
                }
            }
        }
        return Optional.empty();
    }

    /** Whether {@code text}'s percent-encoded bytes (every {@code %} followed by two hex digits) are UTF-8. */
    private static boolean utf8(String text) {
        if (text.indexOf('%') < 0) {
            return true;
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%') {
                bytes.write(java.util.HexFormat.fromHexDigits(text, i + 1, i + 3));
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes.toByteArray()));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    /** The non-ASCII character the bytes from {@code at} start, as UTF-8, with its percent-encoding; else the byte. */
    private static String shown(String target, int at) {
        if (target.charAt(at) < 0x21) {
            return String.format("it has the control character 0x%02X", (int) target.charAt(at));
        }
        byte[] bytes = target.substring(at, Math.min(target.length(), at + 4)).getBytes(StandardCharsets.ISO_8859_1);
        for (int length = 2; length <= bytes.length; length++) {
            try {
                String character = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(bytes, 0, length)).toString();
                if (character.codePointCount(0, character.length()) == 1) {
                    StringBuilder encoded = new StringBuilder();
                    for (int i = 0; i < length; i++) {
                        encoded.append(String.format("%%%02X", bytes[i] & 0xFF));
                    }
                    int codePoint = character.codePointAt(0);
                    // a control or format character (a direction override, a zero-width space) is named, not shown
                    boolean showable = !Character.isISOControl(codePoint)
                            && Character.getType(codePoint) != Character.FORMAT;
                    return (showable ? "'" + character + "'" : String.format("U+%04X", codePoint)) + " is " + encoded;
                }
            } catch (java.nio.charset.CharacterCodingException e) {
                // a longer sequence, or not UTF-8
            }
        }
        return bytes[0] == 0x7F ? "it has the control character DEL (0x7F)"
                : String.format("it has the byte 0x%02X", bytes[0] & 0xFF);
    }

}
