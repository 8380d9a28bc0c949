package dev.eventbank.command.rest;

import dev.eventbank.support.http.RequestRules;
import dev.eventbank.support.logging.CorrelationIdFilter;
import io.micronaut.http.HttpRequest;

import java.util.UUID;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The command headers of one request, checked before anything is sent; a malformed or repeated header, and any
 * query parameter, is a 400.
 * <ul>
 *   <li>{@code If-Match}: the version the account must be at, compared strongly with its ETag (RFC 9110 sections
 *       13.1.1 and 8.8.3.2: two entity tags match only when both are strong and their opaque tags are equal
 *       character by character). Accepted forms, exactly:
 *       <ul>
 *         <li>{@code "3"}: a strong entity tag; it matches the ETag {@code "3"} and nothing else;</li>
 *         <li>{@code 3}: the same without quotes, kept from before for the clients that send it (RFC 9110 wants the
 *             quotes); digits only;</li>
 *         <li>any other well-formed entity tag, such as {@code "01"}, {@code "+1"}, {@code "abc"} or the weak
 *             {@code W/"3"}: well-formed, but it can never match an ETag of ours (they are the canonical decimal
 *             version: no sign, no leading zero; a weak tag never matches strongly), so the command is answered
 *             409 with {@code currentVersion}, as any other mismatch, and nothing is appended.</li>
 *       </ul>
 *       Refused with 400: {@code *}, a list of several entity tags, and anything that is not an entity tag
 *       (unbalanced quotes, spaces or control characters inside, an empty value).</li>
 *   <li>{@code Idempotency-Key}: 1..200 visible ASCII characters.</li>
 *   <li>{@code X-Correlation-Id}: service-support's one rule ({@link CorrelationIdFilter}, which has already refused
 *       a malformed one and generated a missing one for this request).</li>
 * </ul>
 */
record CommandHeaders(Long expectedVersion, String idempotencyKey, String correlationId) {

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    static final String CORRELATION_ID = CorrelationIdFilter.HEADER;
    static final int MAX_KEY_LENGTH = 200;
    /**
     * The expected version of an {@code If-Match} that is a well-formed entity tag but none we ever issue: no account
     * is ever at version -1, so the single writer answers it as a conflict, with the current version.
     */
    static final long NEVER_MATCHES = -1;

    /** The canonical decimal form of a version, as our ETags carry it: no sign, no leading zero, fits a long. */
    private static final Pattern VERSION = Pattern.compile("0|[1-9][0-9]{0,17}");
    /** RFC 9110 section 8.8.3: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE; etagc = %x21 / %x23-7E / obs-text. */
    private static final Pattern ENTITY_TAG = Pattern.compile("(W/)?\"([\\x21\\x23-\\x7E\\x80-\\xFF]*)\"");
    private static final Pattern VISIBLE_ASCII = Pattern.compile("[\\x21-\\x7E]+");

    /**
     * The command headers of {@code request}.
     *
     * @throws CommandProblem 400 for a malformed header, an {@code If-Match} or {@code Idempotency-Key} given on
     *                        more than one line (the first line alone would be read, where the same values joined by
     *                        a comma on one line are refused: RFC 9110 section 5.3 makes both forms one list), or
     *                        any query parameter: no command takes one, and {@code ?idempotencyKey=k} would
     *                        otherwise be silently ignored, the command not idempotent
     */
    static CommandHeaders of(HttpRequest<?> request) {
        for (String name : request.getParameters().names()) {
            throw CommandProblem.badRequest("commands take no query parameters, got '" + abbreviate(name)
                    + "' (the command goes in the JSON body, " + IDEMPOTENCY_KEY + " and If-Match in headers)");
        }
        for (String name : List.of("If-Match", IDEMPOTENCY_KEY)) {
            int lines = request.getHeaders().getAll(name).size();
            if (lines > 1) {
                throw CommandProblem.badRequest(name + " must be given once, got it on " + lines + " lines");
            }
        }
        String given = request.getHeaders().get(CORRELATION_ID);
        return new CommandHeaders(
                expectedVersion(request.getHeaders().get("If-Match")),
                token(IDEMPOTENCY_KEY, request.getHeaders().get(IDEMPOTENCY_KEY)),
                // the filter's id, so that the id in the events is the one echoed on the response
                CorrelationIdFilter.of(request).orElseGet(() -> correlationId(given)));
    }

    /**
     * The expected version an {@code If-Match} value asks for (see the class comment for the accepted forms).
     *
     * @return null when there is no header, {@link #NEVER_MATCHES} for an entity tag no ETag of ours can equal
     * @throws CommandProblem 400 when the value is not one entity tag
     */
    static Long expectedVersion(String ifMatch) {
        if (ifMatch == null) {
            return null;
        }
        String value = ifMatch.strip();
        if (VERSION.matcher(value).matches()) {
            return Long.parseLong(value);
        }
        var tag = ENTITY_TAG.matcher(value);
        if (tag.matches()) {
            boolean weak = tag.group(1) != null;
            return !weak && VERSION.matcher(tag.group(2)).matches() ? Long.parseLong(tag.group(2)) : NEVER_MATCHES;
        }
        String why = value.equals("*") ? "If-Match: * is not supported; send the version the account must be at"
                : value.contains(",") ? "If-Match takes one entity tag here, not a list"
                : "If-Match must be an entity tag as returned in ETag, such as \"3\"";
        throw CommandProblem.badRequest(why + ", got '" + abbreviate(ifMatch) + "'");
    }

    private static String token(String name, String value) {
        if (value == null) {
            return null;
        }
        if (value.length() > MAX_KEY_LENGTH || !VISIBLE_ASCII.matcher(value).matches()) {
            throw CommandProblem.badRequest(name + " must be 1 to " + MAX_KEY_LENGTH
                    + " visible ASCII characters without spaces, got " + RequestRules.headerValueFault(value));
        }
        return value;
    }

    private static String correlationId(String value) {
        if (value == null) {
            return UUID.randomUUID().toString();
        }
        if (!CorrelationIdFilter.isValid(value)) {
            throw CommandProblem.badRequest(CORRELATION_ID + " must be 1 to " + CorrelationIdFilter.MAX_LENGTH
                    + " visible ASCII characters (no spaces), got " + RequestRules.headerValueFault(value));
        }
        return value;
    }

    private static String abbreviate(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (out.length() >= 40) {
                return out.append("...").toString();
            }
            out.append(c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\u%04X", (int) c));
        }
        return out.toString();
    }
}
