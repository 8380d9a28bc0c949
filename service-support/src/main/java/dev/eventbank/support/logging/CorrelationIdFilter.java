package dev.eventbank.support.logging;

import dev.eventbank.support.http.RequestRules;
import dev.eventbank.support.problem.ProblemResponses;
import dev.eventbank.support.problem.ProblemTypes;
import io.micronaut.context.propagation.slf4j.MdcPropagationContext;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.propagation.MutablePropagatedContext;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
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
 * The one {@code X-Correlation-Id} rule of every service (command, query, projection, registry): a given id must be
 * 1 to {@value #MAX_LENGTH} visible ASCII characters ({@code %x21-7E}: no space, no control character, nothing a log
 * line or a header could be broken with), else the request is answered 400 {@code application/problem+json}
 * naming the header, and nothing else happens; an absent id is generated (a random UUID). The id, given or
 * generated, is echoed on every response that passes the filter chain, errors and problems included.
 *
 * <p>Puts the request's {@code X-Correlation-Id} and, for a path that names an
 * account, the {@code accountId} in the SLF4J MDC of every log line Micronaut writes for the request, on whatever
 * thread it continues (Micronaut's propagated context), and echoes the id in the response.
 *
 * <p>Not a bean by itself: a service opts in with a subclass annotated
 * {@code @ServerFilter(ServerFilter.MATCH_ALL_PATTERN)} that says which paths name an account (the command service
 * does not: it reads the header itself and carries it into the command).
 *
 * <p>Limits: work handed to threads Micronaut does not manage (an HTTP client's callbacks, a Kafka producer's)
 * logs without it. Errors answered before any filter runs (a request line or headers too long to read, a body
 * over the size limit) get the id from service-support's error processor ({@code ClientErrorDetails}): the given
 * one when it follows the rule and could be read, else a generated one.
 */
public abstract class CorrelationIdFilter {

    public static final String HEADER = "X-Correlation-Id";
    /** The longest correlation id taken. */
    public static final int MAX_LENGTH = 200;
    private static final String ATTRIBUTE = CorrelationIdFilter.class.getName() + ".correlationId";
    private static final Pattern VISIBLE_ASCII = Pattern.compile("[\\x21-\\x7E]{1," + MAX_LENGTH + "}");

    private final Pattern accountPath;

    /** @param accountPath matches the paths that name an account, with the account id as group 1 */
    protected CorrelationIdFilter(Pattern accountPath) {
        this.accountPath = accountPath;
    }

    /** The correlation id the filter gave {@code request}, if it went through it. */
    public static Optional<String> of(HttpRequest<?> request) {
        return request.getAttribute(ATTRIBUTE, String.class);
    }

    /**
     * True when {@code id} follows the rule: 1 to {@value #MAX_LENGTH} visible ASCII characters.
     */
    public static boolean isValid(String id) {
        return id != null && VISIBLE_ASCII.matcher(id).matches();
    }

    /**
     * Takes the request's id (or generates one) into the MDC; answers a malformed id with a 400 problem at once.
     *
     * @return null to go on, or the 400 answer
     */
    @RequestFilter
    @Nullable
    public HttpResponse<?> correlate(HttpRequest<?> request, MutablePropagatedContext context) {
        String given = request.getHeaders().get(HEADER);
        boolean valid = given == null || isValid(given);
        String correlationId = given != null && valid ? given : UUID.randomUUID().toString();
        request.setAttribute(ATTRIBUTE, correlationId);
        if (!valid) {
            // refused rather than replaced: a caller who sends an id relies on finding it in our logs and events
            return ProblemResponses.of(HttpStatus.BAD_REQUEST, ProblemTypes.INVALID_REQUEST, "Invalid request",
                    HEADER + " must be 1 to " + MAX_LENGTH + " visible ASCII characters (no spaces), got "
                            + RequestRules.headerValueFault(given), Map.of()).header(HEADER, correlationId);
        }
        Map<String, String> mdc = new HashMap<>();
        mdc.put(MdcScope.CORRELATION_ID, correlationId);
        Matcher account = accountPath.matcher(request.getPath());
        if (account.matches()) {
            mdc.put(MdcScope.ACCOUNT_ID, account.group(1).toLowerCase(Locale.ROOT));
        }
        context.add(new MdcPropagationContext(mdc));
        return null;
    }

    /** Echoes the id on the response, whatever its status, unless the handler set one already. */
    @ResponseFilter
    public void echo(HttpRequest<?> request, MutableHttpResponse<?> response) {
        of(request).ifPresent(id -> {
            if (!response.getHeaders().contains(HEADER)) {
                response.header(HEADER, id);
            }
        });
    }
}
