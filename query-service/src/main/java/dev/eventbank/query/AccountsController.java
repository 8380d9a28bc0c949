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

    private final AccountQueries queries;
    private final Duration minVersionTimeout;

    AccountsController(AccountQueries queries,
                       @Value("${eventbank.query.min-version-timeout:5s}") Duration minVersionTimeout) {
        this.queries = queries;
        this.minVersionTimeout = minVersionTimeout;
    }

    @Get("/{id}")
    CompletableFuture<HttpResponse<AccountResponse>> get(@PathVariable String id,
                                                         @Nullable @QueryValue String minVersion,
                                                         @Nullable @QueryValue String maxWait) {
        long min = minVersion == null ? 0 : positive("minVersion", minVersion, 1);
        Duration wait = maxWait == null ? minVersionTimeout
                : Duration.ofMillis(Math.min(positive("maxWait", maxWait, 0), minVersionTimeout.toMillis()));
        if (!UUID.matcher(id).matches()) {
            throw QueryProblem.accountNotFound("no account has id '" + id + "': account ids are UUIDs");
        }
        return queries.find(id, min, wait).thenApply(lookup -> {
            if (lookup instanceof AccountQueries.Lookup.Found found) {
                return HttpResponse.ok(AccountResponse.of(found.state()))
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

    @Get
    AccountResponse.Page list(@Nullable @QueryValue String limit, @Nullable @QueryValue String after,
                              @Nullable @QueryValue String status) {
        int size = limit == null ? DEFAULT_LIMIT : (int) positive("limit", limit, 1);
        if (size > MAX_LIMIT) {
            throw QueryProblem.badRequest("limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
        if (after != null && after.isBlank()) {
            throw QueryProblem.badRequest("after must be an account id (the 'next' of the previous page)");
        }
        return AccountResponse.Page.of(queries.list(after, size, status == null ? null : status(status)));
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
