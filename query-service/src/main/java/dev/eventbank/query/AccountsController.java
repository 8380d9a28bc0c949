package dev.eventbank.query;

import dev.eventbank.schemas.common.AccountStatus;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.QueryValue;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * {@code GET /accounts/{id}} and {@code GET /accounts}: parses and checks the parameters, delegates to
 * {@link AccountQueries}, maps the outcome to HTTP. Every bad parameter is a 400 problem; an id that is not a
 * UUID is a 404 (no account can have it), not a 400, so that ids stay opaque to clients.
 */
@Controller("/accounts")
final class AccountsController {

    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 500;

    private static final int DEFAULT_HISTORY_LIMIT = 100;
    private static final int MAX_HISTORY_LIMIT = 1000;

    private final AccountQueries queries;
    private final ProjectionClient projection;
    private final Duration minVersionTimeout;

    AccountsController(AccountQueries queries, ProjectionClient projection,
                       @Value("${eventbank.query.min-version-timeout:5s}") Duration minVersionTimeout) {
        this.queries = queries;
        this.projection = projection;
        this.minVersionTimeout = minVersionTimeout;
    }

    @Get("/{id}")
    CompletableFuture<? extends HttpResponse<?>> get(@PathVariable String id,
                                                     @Nullable @QueryValue String minVersion,
                                                     @Nullable @QueryValue String maxWait,
                                                     @Nullable @QueryValue String asOfVersion,
                                                     @Nullable @QueryValue String asOf) {
        if (asOfVersion != null || asOf != null) {
            return timeTravel(id, minVersion, maxWait, asOfVersion, asOf);
        }
        long min = minVersion == null ? 0 : positive("minVersion", minVersion, 1);
        Duration wait = maxWait == null ? minVersionTimeout
                : Duration.ofMillis(Math.min(positive("maxWait", maxWait, 0), minVersionTimeout.toMillis()));
        if (!UUID.matcher(id).matches()) {
            throw QueryProblem.accountNotFound("no account has id '" + id + "': account ids are UUIDs");
        }
        return queries.find(id, min, wait).thenApply(lookup -> {
            if (lookup instanceof AccountQueries.Lookup.Found found) {
                return (HttpResponse<?>) HttpResponse.ok(AccountResponse.of(found.state()))
                        .header(HttpHeaders.ETAG, "\"" + found.state().getVersion() + "\"");
            }
            if (lookup instanceof AccountQueries.Lookup.VersionNotVisible notVisible) {
                throw QueryProblem.retryLater("Version not visible yet", "account " + id + " is at version "
                        + notVisible.currentVersion() + " in the view, not yet at " + min + " after waiting "
                        + wait.toMillis() + " ms; retry shortly", Map.of("currentVersion", notVisible.currentVersion()));
            }
            if (lookup instanceof AccountQueries.Lookup.NotFound) {
                throw QueryProblem.accountNotFound("no account with id " + id
                        + (min > 0 ? " became visible within " + wait.toMillis() + " ms" : ""));
            }
            throw new IllegalStateException("unhandled lookup " + lookup);
        });
    }

    /**
     * The state as it was after version {@code asOfVersion}, or at instant {@code asOf}: relayed to the projection,
     * which folds it from the nearest snapshot. A version after the current one is a 404 with
     * {@code currentVersion} (that state does not exist yet), an instant before the opening a 404.
     */
    private CompletableFuture<HttpResponse<?>> timeTravel(String id, String minVersion, String maxWait,
                                                          String asOfVersion, String asOf) {
        if (asOfVersion != null && asOf != null) {
            throw QueryProblem.badRequest("give asOfVersion or asOf, not both");
        }
        if (minVersion != null || maxWait != null) {
            throw QueryProblem.badRequest("minVersion/maxWait apply to the latest state, not to asOfVersion/asOf");
        }
        String query;
        if (asOfVersion != null) {
            query = "asOfVersion=" + positive("asOfVersion", asOfVersion, 1);
        } else {
            try {
                query = "asOf=" + Instant.parse(asOf.trim());
            } catch (DateTimeParseException e) {
                throw QueryProblem.badRequest("asOf must be an ISO-8601 instant such as 2025-01-01T10:00:00Z, got '"
                        + asOf + "'");
            }
        }
        checkId(id);
        return projection.relay("iq/accounts/" + id + "/state?" + query);
    }

    /**
     * One page of the account's events in version order, from {@code fromVersion} (default 1), at most
     * {@code limit} (1..1000, default 100): {@code {"items":[...],"next":<fromVersion of the next page>|null}}.
     * Relayed to the projection's per-account history store.
     */
    @Get("/{id}/events")
    CompletableFuture<HttpResponse<?>> events(@PathVariable String id, @Nullable @QueryValue String fromVersion,
                                              @Nullable @QueryValue String limit) {
        long from = fromVersion == null ? 1 : positive("fromVersion", fromVersion, 1);
        long size = limit == null ? DEFAULT_HISTORY_LIMIT : positive("limit", limit, 1);
        if (size > MAX_HISTORY_LIMIT) {
            throw QueryProblem.badRequest("limit must be between 1 and " + MAX_HISTORY_LIMIT + ", got " + limit);
        }
        checkId(id);
        return projection.relay("iq/accounts/" + id + "/events?fromVersion=" + from + "&limit=" + size);
    }

    private static void checkId(String id) {
        if (!UUID.matcher(id).matches()) {
            throw QueryProblem.accountNotFound("no account has id '" + id + "': account ids are UUIDs");
        }
    }

    @Get
    AccountResponse.Page list(@Nullable @QueryValue String limit, @Nullable @QueryValue String after,
                              @Nullable @QueryValue String status, @Nullable @QueryValue String owner) {
        int size = limit == null ? DEFAULT_LIMIT : (int) positive("limit", limit, 1);
        if (size > MAX_LIMIT) {
            throw QueryProblem.badRequest("limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
        if (after != null && after.isBlank()) {
            throw QueryProblem.badRequest("after must be an account id (the 'next' of the previous page)");
        }
        if (owner != null && owner.isBlank()) {
            throw QueryProblem.badRequest("owner must not be blank");
        }
        return AccountResponse.Page.of(queries.list(after, size,
                new AccountQueries.Filter(status == null ? null : status(status), owner == null ? null : owner.trim())));
    }

    private static long positive(String name, String value, long min) {
        try {
            long parsed = Long.parseLong(value.trim());
            if (parsed >= min) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // fall through to the problem below: the detail says what is expected
        }
        throw QueryProblem.badRequest(name + " must be an integer >= " + min + ", got '" + value + "'");
    }

    private static AccountStatus status(String value) {
        try {
            return AccountStatus.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw QueryProblem.badRequest("status must be OPEN or CLOSED, got '" + value + "'");
        }
    }
}
