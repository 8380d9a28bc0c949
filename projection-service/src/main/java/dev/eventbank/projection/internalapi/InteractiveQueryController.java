package dev.eventbank.projection.internalapi;

import dev.eventbank.projection.ProjectionProblem;
import dev.eventbank.projection.history.AccountTimeline;
import dev.eventbank.projection.rebuild.ProjectionGeneration;
import dev.eventbank.projection.rebuild.ProjectionGenerations;
import dev.eventbank.projection.totals.BankTotalsProjection;
import dev.eventbank.projection.totals.BankTotalsReader;
import dev.eventbank.support.text.TextRule;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.UUID;

/**
 * Interactive queries on the projection's stores, for the query service (which relays the answers as its public
 * API): {@code GET /iq/accounts/{id}/events}, {@code GET /iq/accounts/{id}/state?asOfVersion=|asOf=} and
 * {@code GET /iq/bank/totals}. Thin: checks parameters, routes to the instance owning the account's partition
 * ({@link PartitionRouter}), delegates to {@link AccountTimeline}. Store reads block, so they run on the
 * blocking executor, not the event loop. Account ids are taken in any case and used in their one canonical form,
 * the lower-case UUID ({@link #canonicalId}) that every key and event carries, before routing (the partition is
 * the hash of the key's bytes, so an upper-case id would be routed, and looked up, as another key). Answers carry {@code X-Projection-Generation}: the generation that was active
 * when the request arrived (whose stores answered it), so a rebuild's switch can be observed from outside.
 */
@Controller("/iq")
@ExecuteOn(TaskExecutors.BLOCKING)
final class InteractiveQueryController {

    static final int MAX_LIMIT = 1000;

    private final AccountTimeline timeline;
    private final PartitionRouter router;
    static final String GENERATION_HEADER = ProjectionGeneration.HEADER;

    private final BankTotalsReader totals;
    private final ProjectionGenerations generations;

    InteractiveQueryController(AccountTimeline timeline, PartitionRouter router, BankTotalsReader totals,
                               ProjectionGenerations generations) {
        this.timeline = timeline;
        this.router = router;
        this.totals = totals;
        this.generations = generations;
    }

    @Get("/accounts/{id}/events")
    HttpResponse<?> events(HttpRequest<?> request, @PathVariable String id, @Nullable @QueryValue String fromVersion,
                           @Nullable @QueryValue String limit) {
        long from = fromVersion == null ? 1 : number("fromVersion", fromVersion, 1, Long.MAX_VALUE);
        int size = limit == null ? 100 : (int) number("limit", limit, 1, MAX_LIMIT);
        String accountId = canonicalId(id);
        long generation = generations.active().number();
        return router.forwardIfRemote(accountId, request).orElseGet(() -> {
            AccountTimeline.Page page = timeline.events(accountId, from, size);
            if (page == null) {
                throw ProjectionProblem.notFound("no account with id " + accountId, Map.of());
            }
            return HttpResponse.ok(TimelineJson.Page.of(page)).header(GENERATION_HEADER, String.valueOf(generation));
        });
    }

    @Get("/accounts/{id}/state")
    HttpResponse<?> state(HttpRequest<?> request, @PathVariable String id, @Nullable @QueryValue String asOfVersion,
                          @Nullable @QueryValue String asOf) {
        if ((asOfVersion == null) == (asOf == null)) {
            throw ProjectionProblem.badRequest("give exactly one of asOfVersion and asOf");
        }
        long version = asOfVersion == null ? 0 : number("asOfVersion", asOfVersion, 1, Long.MAX_VALUE);
        Instant instant = asOf == null ? null : instant(asOf);
        String accountId = canonicalId(id);
        long generation = generations.active().number();
        return router.forwardIfRemote(accountId, request).orElseGet(() -> {
            AccountTimeline.AsOf found = instant == null ? timeline.asOfVersion(accountId, version)
                    : timeline.asOf(accountId, instant);
            if (found instanceof AccountTimeline.AsOf.Found state) {
                return HttpResponse.ok(TimelineJson.State.of(state.state()))
                        .header("ETag", "\"" + state.state().getVersion() + "\"")
                        .header(GENERATION_HEADER, String.valueOf(generation));
            }
            if (found instanceof AccountTimeline.AsOf.BeyondCurrent beyond) {
                throw ProjectionProblem.notFound("account " + accountId + " has no version " + version + " yet: its current version is "
                        + beyond.currentVersion(), Map.of("currentVersion", beyond.currentVersion()));
            }
            if (found instanceof AccountTimeline.AsOf.NotFound notFound) {
                throw ProjectionProblem.notFound(notFound.reason(), Map.of());
            }
            throw new IllegalStateException("unhandled time travel result " + found);
        });
    }

    @Get("/bank/totals")
    HttpResponse<?> totals(HttpRequest<?> request) {
        long generation = generations.active().number();
        return router.forwardIfRemote(BankTotalsProjection.STORE, BankTotalsProjection.KEY, request)
                .orElseGet(() -> HttpResponse.ok(TimelineJson.Totals.of(totals.read()))
                        .header(GENERATION_HEADER, String.valueOf(generation)));
    }

    /**
     * The one canonical form of an account id, the lower-case UUID; an id that is not a UUID is a 404 (no account
     * can have it), as in the query service.
     */
    static String canonicalId(String id) {
        try {
            if (id.length() == 36) {
                return UUID.fromString(id).toString();
            }
        } catch (IllegalArgumentException e) {
            // fall through: not a UUID
        }
        throw ProjectionProblem.notFound("no account has id '" + TextRule.quote(id, 40) + "': account ids are UUIDs", Map.of());
    }

    private static long number(String name, String value, long min, long max) {
        try {
            long parsed = Long.parseLong(value.trim());
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // fall through: the problem says what is expected (a number past a long's range lands here too)
        }
        throw ProjectionProblem.badRequest(name + " must be an integer from " + min + " to " + max + ", got '"
                + TextRule.quote(value, 40) + "'");
    }

    private static Instant instant(String value) {
        try {
            return Instant.parse(value.trim());
        } catch (DateTimeParseException e) {
            throw ProjectionProblem.badRequest("asOf must be an ISO-8601 instant such as 2025-01-01T10:00:00Z, got '"
                    + TextRule.quote(value, 60) + "'");
        }
    }
}
