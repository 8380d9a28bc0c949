package dev.eventbank.command.rest;

import io.micronaut.http.HttpRequest;

import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command headers of one request, checked: {@code If-Match} ({@code "3"} or {@code 3}) as the expected
 * version, {@code Idempotency-Key} (1..200 visible ASCII characters) and {@code X-Correlation-Id} (generated
 * when absent). A malformed header is a 400, found before anything is sent.
 */
record CommandHeaders(Long expectedVersion, String idempotencyKey, String correlationId) {

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    static final String CORRELATION_ID = "X-Correlation-Id";
    static final int MAX_KEY_LENGTH = 200;

    private static final Pattern VERSION = Pattern.compile("\"?(\\d{1,18})\"?");
    private static final Pattern VISIBLE_ASCII = Pattern.compile("[\\x21-\\x7E]+");

    static CommandHeaders of(HttpRequest<?> request) {
        return new CommandHeaders(
                expectedVersion(request.getHeaders().get("If-Match")),
                token(IDEMPOTENCY_KEY, request.getHeaders().get(IDEMPOTENCY_KEY)),
                correlationId(request.getHeaders().get(CORRELATION_ID)));
    }

    private static Long expectedVersion(String ifMatch) {
        if (ifMatch == null) {
            return null;
        }
        Matcher matcher = VERSION.matcher(ifMatch.strip());
        if (!matcher.matches() || matcher.group().startsWith("\"") != matcher.group().endsWith("\"")) {
            throw CommandProblem.badRequest("If-Match must be a version as returned in ETag, such as \"3\", got '"
                    + abbreviate(ifMatch) + "'");
        }
        return Long.parseLong(matcher.group(1));
    }

    private static String token(String name, String value) {
        if (value == null) {
            return null;
        }
        if (value.length() > MAX_KEY_LENGTH || !VISIBLE_ASCII.matcher(value).matches()) {
            throw CommandProblem.badRequest(name + " must be 1 to " + MAX_KEY_LENGTH
                    + " visible ASCII characters without spaces, got " + value.length() + " characters");
        }
        return value;
    }

    private static String correlationId(String value) {
        String given = token(CORRELATION_ID, value);
        return given != null ? given : UUID.randomUUID().toString();
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
