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

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

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
@OpenAPIDefinition(info = @Info(title = "query-service", version = "1.0", description = """
        Reads of bank accounts: the latest state (eventually consistent; pass minVersion from a command's answer \
        to read your own write), the paged listing, one account's events, time travel and bank totals. Errors are \
        application/problem+json. Amounts are decimal strings. The event browser page is at /browser/."""))
@Tag(name = "accounts", description = "state, listing, history and time travel of accounts")
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

    @Operation(summary = "One account: its latest state, or its state as of a version or an instant",
            description = "With minVersion the read waits (bounded by eventbank.query.min-version-timeout, 5 s, or maxWait) "
                    + "until the view has that version, else 503. asOfVersion/asOf (one of them, without minVersion) "
                    + "fold the state from the nearest snapshot on the projection service.")
    @ApiResponse(responseCode = "200", description = "the account",
            headers = @Header(name = "ETag", description = "the version, quoted: \"3\"", schema = @Schema(type = "string")),
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = AccountResponse.class)))
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "404", description = "no such account (or no such version / not yet opened at that instant)",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "#/components/schemas/Problem")))
    @ApiResponse(responseCode = "503", ref = "#/components/responses/Unavailable")
    @Get("/{id}")
    CompletableFuture<? extends HttpResponse<?>> get(@Parameter(description = "account id (UUID)") @PathVariable String id,
                                                     @Parameter(description = "wait until the account has at least this version (from a command's answer)", schema = @Schema(type = "integer", minimum = "1"))
                                                     @Nullable @QueryValue String minVersion,
                                                     @Parameter(description = "ms to wait for minVersion, at most the configured timeout", schema = @Schema(type = "integer", minimum = "0"))
                                                     @Nullable @QueryValue String maxWait,
                                                     @Parameter(description = "time travel: the state right after this version", schema = @Schema(type = "integer", minimum = "1"))
                                                     @Nullable @QueryValue String asOfVersion,
                                                     @Parameter(description = "time travel: the state at this ISO-8601 instant", example = "2026-11-26T10:00:00Z", schema = @Schema(type = "string", format = "date-time"))
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
    @Operation(summary = "One account's events in version order, paged")
    @ApiResponse(responseCode = "200", description = "{\"items\":[{version, eventType, occurredAt, eventId, commandId, correlationId, payload}], \"next\": fromVersion of the next page or null}",
            content = @Content(mediaType = "application/json", schema = @Schema(ref = "#/components/schemas/EventsPage")))
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @ApiResponse(responseCode = "503", ref = "#/components/responses/Unavailable")
    @Get("/{id}/events")
    CompletableFuture<HttpResponse<?>> events(@Parameter(description = "account id (UUID)") @PathVariable String id,
                                              @Parameter(description = "first version (default 1)", schema = @Schema(type = "integer", minimum = "1"))
                                              @Nullable @QueryValue String fromVersion,
                                              @Parameter(description = "page size, 1..1000 (default 100)", schema = @Schema(type = "integer", minimum = "1", maximum = "1000"))
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

    @Operation(summary = "Accounts in account id order, paged and filtered")
    @ApiResponse(responseCode = "200", description = "one page; next is the 'after' of the next page, null on the last")
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "503", ref = "#/components/responses/Unavailable")
    @Get
    AccountResponse.Page list(@Parameter(description = "page size, 1..500 (default 50)", schema = @Schema(type = "integer", minimum = "1", maximum = "500"))
                              @Nullable @QueryValue String limit,
                              @Parameter(description = "the 'next' of the previous page") @Nullable @QueryValue String after,
                              @Parameter(description = "OPEN or CLOSED", schema = @Schema(type = "string", allowableValues = {"OPEN", "CLOSED"}))
                              @Nullable @QueryValue String status,
                              @Parameter(description = "exact owner, any case") @Nullable @QueryValue String owner) {
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
