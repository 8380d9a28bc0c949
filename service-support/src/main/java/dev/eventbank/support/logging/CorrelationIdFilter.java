package dev.eventbank.support.logging;

import io.micronaut.context.propagation.slf4j.MdcPropagationContext;
import io.micronaut.core.propagation.MutablePropagatedContext;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ResponseFilter;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Puts the request's {@code X-Correlation-Id} (generated when absent or malformed) and, for a path that names an
 * account, the {@code accountId} in the SLF4J MDC of every log line Micronaut writes for the request, on whatever
 * thread it continues (Micronaut's propagated context), and echoes the id in the response.
 *
 * <p>Not a bean by itself: a service opts in with a subclass annotated
 * {@code @ServerFilter(ServerFilter.MATCH_ALL_PATTERN)} that says which paths name an account (the command service
 * does not: it reads the header itself and carries it into the command).
 *
 * <p>Limits: work handed to threads Micronaut does not manage (an HTTP client's callbacks, a Kafka producer's)
 * logs without it; an id longer than 200 characters or with other than visible ASCII is replaced.
 */
public abstract class CorrelationIdFilter {

    public static final String HEADER = "X-Correlation-Id";
    private static final String ATTRIBUTE = CorrelationIdFilter.class.getName() + ".correlationId";
    private static final Pattern VISIBLE_ASCII = Pattern.compile("[\\x21-\\x7E]{1,200}");

    private final Pattern accountPath;

    /** @param accountPath matches the paths that name an account, with the account id as group 1 */
    protected CorrelationIdFilter(Pattern accountPath) {
        this.accountPath = accountPath;
    }

    /** The correlation id the filter gave {@code request}, if it went through it. */
    public static Optional<String> of(HttpRequest<?> request) {
        return request.getAttribute(ATTRIBUTE, String.class);
    }

    @RequestFilter
    public void correlate(HttpRequest<?> request, MutablePropagatedContext context) {
        String given = request.getHeaders().get(HEADER);
        String correlationId = given != null && VISIBLE_ASCII.matcher(given).matches() ? given : UUID.randomUUID().toString();
        request.setAttribute(ATTRIBUTE, correlationId);
        Map<String, String> mdc = new HashMap<>();
        mdc.put(MdcScope.CORRELATION_ID, correlationId);
        Matcher account = accountPath.matcher(request.getPath());
        if (account.matches()) {
            mdc.put(MdcScope.ACCOUNT_ID, account.group(1).toLowerCase(Locale.ROOT));
        }
        context.add(new MdcPropagationContext(mdc));
    }

    @ResponseFilter
    public void echo(HttpRequest<?> request, MutableHttpResponse<?> response) {
        of(request).ifPresent(id -> {
            if (!response.getHeaders().contains(HEADER)) {
                response.header(HEADER, id);
            }
        });
    }
}
