package dev.eventbank.projection;

import dev.eventbank.projection.internalapi.PartitionRouter;
import dev.eventbank.support.logging.CorrelationIdFilter;
import io.micronaut.core.annotation.Order;
import io.micronaut.http.annotation.ServerFilter;

import java.util.regex.Pattern;

/**
 * The one {@code X-Correlation-Id} rule of every service (a malformed id is a 400, a missing one generated, the id
 * echoed on every response; the query service sends its own along when it asks for a read) and, for
 * {@code /internal/v1/accounts/{id}...}, the {@code accountId} in the SLF4J MDC
 * of every log line Micronaut writes for the request, on whatever thread it continues (Micronaut's propagated
 * context), and echoes the id in the response; the work is service-support's {@link CorrelationIdFilter}.
 * {@link PartitionRouter} passes the id on when it forwards.
 *
 * <p>Limits: work handed to threads Micronaut does not manage (the rebuild monitor) logs without it.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
// ServerFilterPhase.FIRST (-1000), before the security filter (SECURITY, 39000): a refused request (401/403) is
// logged and answered with its correlation id too
@Order(-1000)
final class CorrelationFilter extends CorrelationIdFilter {

    CorrelationFilter() {
        super(Pattern.compile("^/internal/v1/accounts/([0-9a-fA-F-]{36})(/.*)?$"));
    }
}
