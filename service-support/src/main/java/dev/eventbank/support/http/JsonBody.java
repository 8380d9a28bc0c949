package dev.eventbank.support.http;

import dev.eventbank.support.problem.ProblemException;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The rule for a JSON request body, one for every endpoint that takes one: a body (one byte or more) must come with
 * {@code Content-Type: application/json}, optionally with {@code charset=utf-8} (any case, quoted or not) and no
 * other parameter value for charset; its bytes must be well-formed UTF-8 (RFC 8259 section 8.1: JSON exchanged
 * between systems is UTF-8). A missing, empty or unparseable Content-Type, another media type, or another
 * charset is 415 Unsupported Media Type (RFC 9110 section 15.5.16); bytes that are not UTF-8 (a lone
 * {@code E9} of Latin-1, an overlong form, an encoded surrogate) are 400, so nothing is ever stored with a
 * replacement character in place of what the client meant.
 *
 * <p>Limits: the media type is matched exactly ({@code application/json}, any case), not
 * {@code application/*+json}; other parameters than charset are ignored, as RFC 8259 defines none. A byte-order
 * mark is refused like any other character before the JSON text would be (RFC 8259 section 8.1 forbids sending
 * one).
 */
public final class JsonBody {

    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private JsonBody() {
    }

    /**
     * The body as text, checked against the rule.
     *
     * @param contentType the request's {@code Content-Type} header, null when absent
     * @param body        the body's bytes, null or empty when there is none
     * @return the decoded body, or null when there is no body (then the Content-Type is not looked at)
     * @throws ProblemException 415 for the media type, 400 for bytes that are not UTF-8
     */
    public static String utf8(String contentType, byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        checkContentType(contentType);
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer bytes = ByteBuffer.wrap(body);
        try {
            CharBuffer text = decoder.decode(bytes);
            return text.toString();
        } catch (MalformedInputException e) {
            throw ProblemException.badRequest("the request body is not valid UTF-8: malformed byte sequence at byte "
                    + bytes.position() + "; JSON must be sent as UTF-8 (RFC 8259 section 8.1)");
        } catch (CharacterCodingException e) {
            throw ProblemException.badRequest("the request body is not valid UTF-8 at byte " + bytes.position()
                    + "; JSON must be sent as UTF-8 (RFC 8259 section 8.1)");
        }
    }

    /** Checks a {@code Content-Type} value for a JSON body (RFC 9110 section 8.3.1 syntax); 415 when it fails. */
    static void checkContentType(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            throw ProblemException.unsupportedMediaType("a request with a body needs Content-Type: application/json");
        }
        String[] parts = contentType.split(";", -1);
        String mediaType = parts[0].strip().toLowerCase(Locale.ROOT);
        if (!mediaType.equals("application/json")) {
            throw ProblemException.unsupportedMediaType("Content-Type must be application/json, got '"
                    + printable(contentType) + "'");
        }
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].strip();
            int equals = parameter.indexOf('=');
            String name = equals < 0 ? parameter : parameter.substring(0, equals).strip();
            String value = equals < 0 ? "" : parameter.substring(equals + 1).strip();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1);
            }
            if (!TOKEN.matcher(name).matches() || value.isEmpty()) {
                throw ProblemException.unsupportedMediaType("Content-Type '" + printable(contentType)
                        + "' is not a media type: parameters are name=value; send application/json");
            }
            if (name.equalsIgnoreCase("charset") && !value.equalsIgnoreCase("utf-8")) {
                throw ProblemException.unsupportedMediaType("the charset of a JSON body must be UTF-8 (RFC 8259 "
                        + "section 8.1), got '" + printable(value) + "'");
            }
        }
    }

    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (out.length() >= 60) {
                return out.append("...").toString();
            }
            out.append(c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\u%04X", (int) c));
        }
        return out.toString();
    }
}
