package dev.eventbank.projection;

import io.micronaut.context.propagation.slf4j.MdcPropagationContext;
import io.micronaut.core.propagation.MutablePropagatedContext;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Puts the request's {@code X-Correlation-Id} (generated when absent or malformed; the query service sends its
 * own along when it relays a read) and, for {@code /iq/accounts/{id}...}, the {@code accountId} in the SLF4J MDC
 * of every log line Micronaut writes for the request, on whatever thread it continues (Micronaut's propagated
 * context), and echoes the id in the response. {@link PartitionRouter} passes it on when it forwards.
 *
 * <p>Limits: work handed to threads Micronaut does not manage (the rebuild monitor) logs without it.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
final class CorrelationFilter {

    static final String HEADER = "X-Correlation-Id";
    private static final String ATTRIBUTE = CorrelationFilter.class.getName() + ".correlationId";
    private static final Pattern VISIBLE_ASCII = Pattern.compile("[\\x21-\\x7E]{1,200}");
    private static final Pattern ACCOUNT_PATH = Pattern.compile("^/iq/accounts/([0-9a-fA-F-]{36})(/.*)?$");

    @RequestFilter
    void correlate(HttpRequest<?> request, MutablePropagatedContext context) {
        String given = request.getHeaders().get(HEADER);
        String correlationId = given != null && VISIBLE_ASCII.matcher(given).matches() ? given : UUID.randomUUID().toString();
        request.setAttribute(ATTRIBUTE, correlationId);
        Map<String, String> mdc = new HashMap<>();
        mdc.put("correlationId", correlationId);
        Matcher account = ACCOUNT_PATH.matcher(request.getPath());
        if (account.matches()) {
            mdc.put("accountId", account.group(1).toLowerCase(Locale.ROOT));
        }
        context.add(new MdcPropagationContext(mdc));
    }

    @ResponseFilter
    void echo(HttpRequest<?> request, MutableHttpResponse<?> response) {
        request.getAttribute(ATTRIBUTE, String.class).ifPresent(id -> {
            if (!response.getHeaders().contains(HEADER)) {
                response.header(HEADER, id);
            }
        });
    }

    /** The correlation id this filter gave the request, if it went through it. */
    static Optional<String> of(HttpRequest<?> request) {
        return request.getAttribute(ATTRIBUTE, String.class);
    }
}
