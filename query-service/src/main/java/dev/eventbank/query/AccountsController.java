package dev.eventbank.query;

import dev.eventbank.schemas.common.AccountStatus;
import dev.eventbank.schemas.common.AccountType;
import dev.eventbank.schemas.readmodel.AccountState;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.propagation.PropagatedContext;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

import dev.eventbank.support.security.Roles;
import dev.eventbank.support.http.RequestRules;
import dev.eventbank.support.settings.Settings;
import dev.eventbank.support.text.TextRule;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * {@code GET /accounts/{id}} and {@code GET /accounts}: parses and checks the parameters, delegates to
 * {@link AccountQueries}, maps the outcome to HTTP. Every bad parameter is a 400 problem naming it and its allowed
 * range (a number past int or long range included: never wrapped, never a 500); an id that is not a UUID is a 404
 * (no account can have it), not a 400, so that ids stay opaque to clients. Account ids are taken in any case and
 * used in their one canonical form, lower case ({@link #canonicalId}), as the command service does, so both
 * spellings of an id give the same answer. A parameter an endpoint does not take, or one it takes given more than
 * once, is a 400 ({@code RequestRules.onlyParameters}): a typo would otherwise be silently ignored, and the framework would join repeated
 * values with commas ({@code owner=A&owner=B} would filter on the owner "A,B"). History and time travel are read from the projection
 * ({@link ProjectionReads}) with parameters checked here, and rendered here like every other read.
 *
 * <p>Who reads what ({@link ReadScope}): tellers and auditors every account; a customer only its own (the state's
 * {@code ownerId} is the token's subject), and another's account, by any route (state, {@code minVersion},
 * history, time travel), answers the same 404 problem as an account that does not exist; its listing shows only its
 * own accounts. Other roles: 403. A customer's history and time travel are only asked of the projection once this
 * service's view shows the account is the customer's.
 */
@OpenAPIDefinition(info = @Info(title = "query-service", version = "1.0", description = """
        Reads of bank accounts: the latest state (eventually consistent; pass minVersion from a command's answer \
        to read your own write), the paged listing, one account's events, time travel and bank totals. Errors are \
        application/problem+json. Amounts are decimal strings. The event browser page is at /browser/. Every call \
        needs a bearer token (JWT): tellers and auditors read every account, a customer only its own (another's \
        answers 404), bank totals are for tellers and auditors; no or an invalid token is a 401, a role that may \
        not is a 403."""), security = @SecurityRequirement(name = "bearer"))
@SecurityScheme(name = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer", bearerFormat = "JWT")
@Tag(name = "accounts", description = "state, listing, history and time travel of accounts")
@Controller("/accounts")
@Secured({Roles.CUSTOMER, Roles.TELLER, Roles.AUDITOR})
final class AccountsController {

    private static final Pattern UUID_TEXT = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 500;

    private static final int DEFAULT_HISTORY_LIMIT = 100;
    private static final int MAX_HISTORY_LIMIT = 1000;
    /** As the command service's owner field. */
    private static final int MAX_OWNER = 200;

    private final AccountQueries queries;
    private final ProjectionReads projection;
    private final Duration minVersionTimeout;
    private final WaitsPerCaller waits;

    AccountsController(AccountQueries queries, ProjectionReads projection,
                       @Value("${eventbank.query.min-version-timeout:5s}") Duration minVersionTimeout,
                       @Value("${eventbank.query.max-waiting-reads-per-caller:1000}") int maxWaitingReadsPerCaller) {
        this.queries = queries;
        this.projection = projection;
        this.minVersionTimeout = Settings.notNegative("eventbank.query.min-version-timeout", minVersionTimeout);
        this.waits = new WaitsPerCaller((int) Settings.atLeast("eventbank.query.max-waiting-reads-per-caller",
                maxWaitingReadsPerCaller, 1));
    }

    @Operation(summary = "One account: its latest state, or its state as of a version or an instant",
            description = "With minVersion the read waits (bounded by eventbank.query.min-version-timeout, 5 s, or maxWait) "
                    + "until the view has that version, else 503. asOfVersion/asOf (one of them) fold the state from the "
                    + "nearest snapshot on the projection service, once it has folded that version (asOfVersion) or "
                    + "minVersion (asOf, optional; else 503), waiting as long at most.")
    @ApiResponse(responseCode = "200", description = "the account",
            headers = @Header(name = "ETag", description = "the version, quoted: \"3\"", schema = @Schema(type = "string")),
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = AccountResponse.class)))
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "404", description = "no such account (or no such version / not yet opened at that instant)",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "#/components/schemas/Problem")))
    @ApiResponse(responseCode = "429", description = "this caller already has as many waiting reads (minVersion, history, time travel) as one caller may (Retry-After)",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "#/components/schemas/Problem")))
    @ApiResponse(responseCode = "503", ref = "#/components/responses/Unavailable")
    @Get("/{id}")
    CompletableFuture<? extends HttpResponse<?>> get(HttpRequest<?> request, Authentication caller,
                                                     @Parameter(description = "account id (UUID)") @PathVariable String id,
                                                     @Parameter(description = "wait until the account has at least this version (from a command's answer)", schema = @Schema(type = "integer", minimum = "1"))
                                                     @Nullable @QueryValue String minVersion,
                                                     @Parameter(description = "ms to wait for minVersion, at most the configured timeout", schema = @Schema(type = "integer", minimum = "0"))
                                                     @Nullable @QueryValue String maxWait,
                                                     @Parameter(description = "time travel: the state right after this version", schema = @Schema(type = "integer", minimum = "1"))
                                                     @Nullable @QueryValue String asOfVersion,
                                                     @Parameter(description = "time travel: the state at this ISO-8601 instant", example = "2026-11-26T10:00:00Z", schema = @Schema(type = "string", format = "date-time"))
                                                     @Nullable @QueryValue String asOf) {
        RequestRules.onlyParameters(request, "minVersion", "maxWait", "asOfVersion", "asOf");
        ReadScope scope = ReadScope.of(caller);
        if (asOfVersion != null || asOf != null) {
            return timeTravel(caller, scope, id, minVersion, maxWait, asOfVersion, asOf);
        }
        if (maxWait != null && minVersion == null) {
            // as on the time-travel routes: a parameter that would change nothing is the client's mistake to be told
            throw QueryProblem.badRequest("maxWait bounds the wait for minVersion; give it with minVersion");
        }
        long min = minVersion == null ? 0 : number("minVersion", minVersion, 1, Long.MAX_VALUE);
        Duration wait = maxWait == null ? minVersionTimeout
                : Duration.ofMillis(Math.min(number("maxWait", maxWait, 0, Long.MAX_VALUE), minVersionTimeout.toMillis()));
        String accountId = canonicalId(id);
        return limited(caller, min, () -> queries.find(accountId, min, wait, scope)).thenApply(lookup -> {
            if (lookup instanceof AccountQueries.Lookup.Found found) {
                return (HttpResponse<?>) HttpResponse.ok(AccountResponse.of(found.state()))
                        .header(HttpHeaders.ETAG, "\"" + found.state().getVersion() + "\"");
            }
            if (lookup instanceof AccountQueries.Lookup.VersionNotVisible notVisible) {
                throw QueryProblem.versionNotVisible("account " + accountId + " is at version "
                        + notVisible.currentVersion() + " in the view, not yet at " + min + " after waiting "
                        + wait.toMillis() + " ms; retry shortly", notVisible.currentVersion());
            }
            if (lookup instanceof AccountQueries.Lookup.NotFound) {
                throw QueryProblem.accountNotFound("no account with id " + accountId
                        + (min > 0 ? " became visible within " + wait.toMillis() + " ms" : ""));
            }
            throw new IllegalStateException("unhandled lookup " + lookup);
        });
    }

    /**
     * {@code read}, holding one of the caller's {@link WaitsPerCaller} slots until it completes when it may wait
     * ({@code minVersion > 0}); a 429 problem when the caller has none left.
     */
    private <T> CompletableFuture<T> limited(Authentication caller, long minVersion,
                                             java.util.function.Supplier<CompletableFuture<T>> read) {
        if (minVersion <= 0) {
            return read.get();
        }
        String who = caller.getName() == null ? "" : caller.getName();
        if (!waits.tryAcquire(who)) {
            throw QueryProblem.tooManyRequests("this caller already has " + waits.max() + " reads waiting (minVersion, "
                    + "history, time travel; eventbank.query.max-waiting-reads-per-caller); retry when some have been answered");
        }
        CompletableFuture<T> answer;
        try {
            answer = read.get();
        } catch (RuntimeException e) {
            waits.release(who);
            throw e;
        }
        return answer.whenComplete((result, error) -> waits.release(who));
    }

    /**
     * The state as it was after version {@code asOfVersion}, or at instant {@code asOf}: asked of the projection,
     * which folds it from the nearest snapshot, and rendered here like the latest state. A version after the current
     * one is a 404 with {@code currentVersion} (that state does not exist yet), an instant before the opening a 404.
     */
    private CompletableFuture<HttpResponse<?>> timeTravel(Authentication caller, ReadScope scope, String id,
                                                          String minVersion, String maxWait, String asOfVersion,
                                                          String asOf) {
        if (asOfVersion != null && asOf != null) {
            throw QueryProblem.badRequest("give asOfVersion or asOf, not both");
        }
        if (maxWait != null) {
            throw QueryProblem.badRequest("maxWait bounds the wait for minVersion of the latest state, not of asOfVersion/asOf");
        }
        if (minVersion != null && asOfVersion != null) {
            throw QueryProblem.badRequest("asOfVersion waits for that version itself: give minVersion with asOf only");
        }
        long min = minVersion == null ? 0 : number("minVersion", minVersion, 1, Long.MAX_VALUE);
        CompletableFuture<AccountState> state;
        if (asOfVersion != null) {
            long version = number("asOfVersion", asOfVersion, 1, Long.MAX_VALUE);
            // a version from a command's answer may not be folded yet: waited for, as minVersion would be. One this
            // service has seen exists, so a projection that has not folded it in time is a 503 to retry
            // (whenProjected); a version never seen is the projection's 404 with currentVersion, after the wait
            state = whenProjected(caller, scope, id, version, 0, version, version,
                    accountId -> projection.asOfVersion(accountId, version));
        } else {
            Instant instant;
            try {
                instant = Instant.parse(spacesStripped(asOf));
            } catch (DateTimeParseException e) {
                throw QueryProblem.badRequest("asOf must be an ISO-8601 instant such as 2025-01-01T10:00:00Z, got '"
                        + TextRule.quote(asOf, 60) + "'");
            }
            // any version up to the latest this service has seen may be the state at that instant: waited for as a
            // history page waits for its versions, so a read right after a command shows it. Unless the projection's
            // state is already past the instant (its last event came after it): its fold stops at the first event
            // after the instant (AccountTimeline.asOf), so versions it has not folded yet cannot change the answer,
            // and a read of last week's state does not wait for (or fail with a 503 over) today's lag
            long seenFrom = queries.projectedPast(canonicalId(id), instant) ? Long.MAX_VALUE : 1;
            state = whenProjected(caller, scope, id, min, min, seenFrom, Long.MAX_VALUE,
                    accountId -> projection.asOf(accountId, instant));
        }
        return state.thenApply(found -> {
            if (!scope.test(found)) {
                // the view said the account is the caller's; the projection's state must say so too
                throw notFound(found.getAccountId());
            }
            return (HttpResponse<?>) HttpResponse.ok(AccountResponse.of(found))
                    .header(HttpHeaders.ETAG, "\"" + found.getVersion() + "\"");
        });
    }

    /**
     * One page of the account's events in version order, from {@code fromVersion} (default 1), at most
     * {@code limit} (1..1000, default 100): {@code {"items":[...],"next":<fromVersion of the next page>|null}}.
     * Read from the projection's per-account history store.
     */
    @Operation(summary = "One account's events in version order, paged",
            description = "Waits (bounded by eventbank.query.min-version-timeout, 5 s) until the projection has folded "
                    + "minVersion, if given (else 503), and the page's versions this service has already seen.")
    @ApiResponse(responseCode = "200", description = "{\"items\":[{version, eventType, occurredAt, eventId, commandId, correlationId, payload}], \"next\": fromVersion of the next page or null}",
            content = @Content(mediaType = "application/json", schema = @Schema(ref = "#/components/schemas/EventsPage")))
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @ApiResponse(responseCode = "429", description = "this caller already has as many waiting reads as one caller may (Retry-After)",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "#/components/schemas/Problem")))
    @ApiResponse(responseCode = "503", ref = "#/components/responses/Unavailable")
    @Get("/{id}/events")
    CompletableFuture<EventResponse.Page> events(HttpRequest<?> request, Authentication caller,
                                              @Parameter(description = "account id (UUID)") @PathVariable String id,
                                              @Parameter(description = "first version (default 1)", schema = @Schema(type = "integer", minimum = "1"))
                                              @Nullable @QueryValue String fromVersion,
                                              @Parameter(description = "page size, 1..1000 (default 100)", schema = @Schema(type = "integer", minimum = "1", maximum = "1000"))
                                              @Nullable @QueryValue String limit,
                                              @Parameter(description = "wait until the history has this version (from a command's answer)", schema = @Schema(type = "integer", minimum = "1"))
                                              @Nullable @QueryValue String minVersion) {
        RequestRules.onlyParameters(request, "fromVersion", "limit", "minVersion");
        long from = fromVersion == null ? 1 : number("fromVersion", fromVersion, 1, Long.MAX_VALUE);
        long size = limit == null ? DEFAULT_HISTORY_LIMIT : number("limit", limit, 1, MAX_HISTORY_LIMIT);
        long min = minVersion == null ? 0 : number("minVersion", minVersion, 1, Long.MAX_VALUE);
        // the page's last version, saturated: fromVersion may be near the largest long
        long pageEnd = from > Long.MAX_VALUE - size ? Long.MAX_VALUE : from + size - 1;
        return whenProjected(caller, ReadScope.of(caller), id, min, min, from, pageEnd,
                accountId -> projection.events(accountId, from, size));
    }

    /**
     * {@code read} of the projection, once it has folded the account up to {@code waitFor} and up to
     * {@code seenUpTo} as far as this service has seen the account ({@link AccountQueries#awaitProjected}, at most
     * {@code eventbank.query.min-version-timeout}), so that history and time travel show the writes answered before
     * the read, as the latest state does. Holds one of the caller's waiting-read slots meanwhile ({@link #limited}),
     * and reads in the request's propagated context (the projection gets its {@code X-Correlation-Id}, the log lines
     * their MDC) whichever thread ended the wait.
     *
     * <p>A read that ends its wait without the projection having what it waited for is a 503 version-not-visible
     * (retry), never an older state or a 404 for what this service has already shown: the caller's
     * {@code requiredVersion}, and the versions up to {@code seenUpTo} this service has seen once the wait is over.
     * A {@code requiredVersion} of an account no one has seen is left to the projection's 404.
     *
     * @param requiredVersion the caller's minVersion (0: none)
     * @param seenFrom        the first version the read could show: versions this service has seen are required only
     *                        when it has seen this one (a history page past the seen versions waits for nothing)
     */
    private <T> CompletableFuture<T> whenProjected(Authentication caller, ReadScope scope, String id, long waitFor,
                                                   long requiredVersion, long seenFrom, long seenUpTo,
                                                   java.util.function.Function<String, CompletableFuture<T>> read) {
        String accountId = canonicalId(id);
        long deadline = System.nanoTime() + minVersionTimeout.toNanos();
        PropagatedContext context = PropagatedContext.getOrEmpty();
        // what this service had seen when the read came: a write that lands during the wait is not waited for, nor
        // are seen versions before the first one the read could show
        long seen = queries.seenVersion(accountId);
        long seenNeeded = seen >= seenFrom ? seenUpTo : 0;
        return limited(caller, 1, () -> readable(scope, accountId, waitFor)
                .thenCompose(readable -> queries.awaitProjected(accountId, waitFor, seenNeeded,
                        Duration.ofNanos(Math.max(0, deadline - System.nanoTime()))))
                .thenCompose(projected -> context.propagate(() -> {
                    requireVisible(accountId, Math.max(requiredVersion, Math.min(seenNeeded, seen)), projected, seen);
                    return read.apply(accountId);
                })));
    }

    /**
     * Completes when the caller may read {@code accountId} ({@link #readable(ReadScope, String)}), else fails with its
     * 404. A customer's read that waits for a version ({@code waitFor}, from a command's answer) first waits for that
     * version of the account as a minVersion read does ({@link AccountQueries#find}): an account opened a moment ago
     * may not be visible as the customer's yet, and an account that is not the customer's is answered as an unknown
     * one is, after the same wait.
     */
    private CompletableFuture<Void> readable(ReadScope scope, String accountId, long waitFor) {
        if (scope.all()) {
            return CompletableFuture.completedFuture(null);
        }
        if (waitFor <= 0) {
            readable(scope, accountId);
            return CompletableFuture.completedFuture(null);
        }
        return queries.find(accountId, waitFor, minVersionTimeout, scope).thenApply(lookup -> {
            if (lookup instanceof AccountQueries.Lookup.NotFound) {
                throw notFound(accountId);
            }
            return null;
        });
    }

    /**
     * The 503 of a version not reached in time by the projection ({@code projected}, -1 for none), when the account
     * exists: the projection has some version of it, or this service has seen it ({@code seen}, -1 for not).
     */
    private void requireVisible(String accountId, long minVersion, long projected, long seen) {
        // a projection whose version is not known (the view unreadable, too many reads waiting): the projection
        // answers as before. One that has published nothing: a 503 only if this service has seen the account, else
        // the projection's 404 (the id may name no account)
        if (minVersion > 0 && projected != AccountQueries.PROJECTED_UNKNOWN && projected < minVersion
                && (projected >= 0 || seen > 0)) {
            throw QueryProblem.versionNotVisible("account " + accountId + " is at version " + Math.max(0, projected)
                    + " in the projection, not yet at " + minVersion + " after waiting " + minVersionTimeout.toMillis()
                    + " ms; retry shortly", Math.max(0, projected));
        }
    }

    /**
     * The canonical id of an account the caller may read, before anything is asked of the projection: for a
     * caller who reads every account, any id (the projection says whether it exists); for a customer, only an
     * account this service's view shows as the customer's, else the 404 problem of an unknown account (the same
     * text as the projection's). So a customer's request for another's account never reaches the projection, and
     * the projection's answers (a current version, an opening instant) can tell nothing about it.
     */
    private String readable(ReadScope scope, String id) {
        String accountId = canonicalId(id);
        if (!scope.all() && queries.current(accountId, scope) == null) {
            throw notFound(accountId);
        }
        return accountId;
    }

    private static QueryProblem notFound(String accountId) {
        return QueryProblem.accountNotFound("no account with id " + accountId);
    }

    /**
     * The one canonical form of an account id: the lower-case UUID ({@link UUID#toString()}), as the command service
     * writes it into every event and key. An id in upper or mixed case names the same account; a text that is not a
     * UUID is a 404 problem, since no account can have it.
     */
    static String canonicalId(String id) {
        if (id == null || !UUID_TEXT.matcher(id).matches()) {
            throw QueryProblem.accountNotFound("no account has id '" + (id == null ? "" : TextRule.quote(id, 40))
                    + "': account ids are UUIDs");
        }
        return UUID.fromString(id).toString();
    }

    @Operation(summary = "Accounts in account id order, paged and filtered")
    @ApiResponse(responseCode = "200", description = "one page; next is the 'after' of the next page, null on the last")
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "503", ref = "#/components/responses/Unavailable")
    @Get
    // a page may read many entries of the store (a filter, a customer's scope): never on the event loop, where it would
    // hold up every other request of the connections that loop serves
    @ExecuteOn(TaskExecutors.BLOCKING)
    AccountResponse.Page list(HttpRequest<?> request, Authentication caller,
                              @Parameter(description = "page size, 1..500 (default 50)", schema = @Schema(type = "integer", minimum = "1", maximum = "500"))
                              @Nullable @QueryValue String limit,
                              @Parameter(description = "the 'next' of the previous page") @Nullable @QueryValue String after,
                              @Parameter(description = "OPEN or CLOSED", schema = @Schema(type = "string", allowableValues = {"OPEN", "CLOSED"}))
                              @Nullable @QueryValue String status,
                              @Parameter(description = "exact owner, any case") @Nullable @QueryValue String owner,
                              @Parameter(description = "CHECKING or SAVINGS, any case", schema = @Schema(type = "string", allowableValues = {"CHECKING", "SAVINGS"}))
                              @Nullable @QueryValue String accountType) {
        RequestRules.onlyParameters(request, "limit", "after", "status", "owner", "accountType");
        int size = (int) (limit == null ? DEFAULT_LIMIT : number("limit", limit, 1, MAX_LIMIT));
        String afterId = after == null ? null : spacesStripped(after);
        if (afterId != null && !UUID_TEXT.matcher(afterId).matches()) {
            // the cursor is an account id; anything else would silently start the page at an arbitrary position
            throw QueryProblem.badRequest("after must be an account id (the 'next' of the previous page), got '"
                    + TextRule.quote(after, 40) + "'");
        }
        String ownerFilter = owner == null ? null : text("owner", owner, MAX_OWNER);
        // a cursor that is a UUID in another case is the same position: ids are ordered in their canonical form
        String cursor = afterId == null ? null : UUID.fromString(afterId).toString();
        // a customer's listing holds only its own accounts, and reads no other's (the owner index)
        ReadScope scope = ReadScope.of(caller);
        return AccountResponse.Page.of(queries.list(cursor, scope.ownerId(), size,
                new AccountQueries.Filter(status == null ? null : status(status), ownerFilter,
                        accountType == null ? null : accountType(accountType)).and(scope)));
    }

    /**
     * A query parameter that must be an integer from {@code min} to {@code max}: a 400 naming the parameter and the
     * range for anything else, a number past the range of a long (9223372036854775808) included, so that nothing
     * wraps ({@code limit=4294967297} is not 1) and nothing reaches a 500.
     */
    static long number(String name, String value, long min, long max) {
        String digits = spacesStripped(value);
        if (digits.matches("[+-]?[0-9]{1,30}")) {
            BigInteger parsed = new BigInteger(digits);
            if (parsed.compareTo(BigInteger.valueOf(min)) >= 0 && parsed.compareTo(BigInteger.valueOf(max)) <= 0) {
                return parsed.longValueExact();
            }
        }
        throw QueryProblem.badRequest(name + " must be an integer from " + min + " to "
                + (max == Long.MAX_VALUE ? "9223372036854775807" : String.valueOf(max)) + ", got '"
                + TextRule.quote(value, 40) + "'");
    }

    /**
     * {@code value} without the spaces (U+0020) around it. Not {@code trim()} or {@code strip()}: they also drop
     * control characters ({@code minVersion=%005} would be 5, {@code status=%0BOPEN} OPEN), which are a client's
     * mistake to be told, not a spelling of the value.
     */
    private static String spacesStripped(String value) {
        int start = 0;
        int end = value.length();
        while (start < end && value.charAt(start) == ' ') {
            start++;
        }
        while (end > start && value.charAt(end - 1) == ' ') {
            end--;
        }
        return value.substring(start, end);
    }

    /** A text parameter under service-support's one text rule for query parameters ({@link TextRule#checkParameter}). */
    private static String text(String name, String value, int max) {
        try {
            return TextRule.checkParameter(name, value, max);
        } catch (TextRule.InvalidText e) {
            throw QueryProblem.badRequest(e.getMessage());
        }
    }

    private static AccountStatus status(String value) {
        return symbol("status", AccountStatus.class, value);
    }

    private static AccountType accountType(String value) {
        return symbol("accountType", AccountType.class, value);
    }

    /**
     * A parameter that names a symbol of {@code type}, in any case of its ASCII letters (spaces around it ignored):
     * a 400 naming the parameter and every allowed
     * value otherwise (taken from the enum, so a symbol added to the schema is allowed and named at once).
     */
    private static <E extends Enum<E>> E symbol(String name, Class<E> type, String value) {
        String symbolText = spacesStripped(value);
        // ASCII letters only: upper-casing maps other letters onto ASCII ones (the long s, U+017F, onto S), so
        // 'ſavings' would be SAVINGS
        try {
            if (!symbolText.chars().allMatch(c -> (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_')) {
                throw new IllegalArgumentException(symbolText);
            }
            return Enum.valueOf(type, symbolText.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            String allowed = java.util.Arrays.stream(type.getEnumConstants()).map(Enum::name)
                    .collect(java.util.stream.Collectors.joining(" or "));
            throw QueryProblem.badRequest(name + " must be " + allowed + ", got '" + TextRule.quote(value, 20) + "'");
        }
    }
}
