package dev.eventbank.command.rest;

import dev.eventbank.support.logging.CorrelationIdFilter;
import io.micronaut.http.annotation.ServerFilter;

import java.util.regex.Pattern;

/**
 * The one {@code X-Correlation-Id} rule of every service (service-support's {@link CorrelationIdFilter}) in the
 * command service: a malformed id is a 400 before any command is built, a missing one is generated, and the id is
 * echoed on every response (the 400s, 404s, 405s, 413s and 415s included).
 * {@link CommandHeaders} takes the id from here, so the id carried into the command and its events is the one echoed.
 * For {@code /accounts/{id}...} the {@code accountId} goes in the MDC of Micronaut's log lines for the request.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
final class CorrelationFilter extends CorrelationIdFilter {

    CorrelationFilter() {
        super(Pattern.compile("^/accounts/([0-9a-fA-F-]{36})(/.*)?$"));
    }
}
