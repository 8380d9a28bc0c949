package dev.eventbank.projection.internalapi;

import dev.eventbank.support.http.RequestRules;
import dev.eventbank.projection.ProjectionProblem;
import dev.eventbank.projection.history.AccountTimeline;
import dev.eventbank.projection.rebuild.ProjectionGeneration;
import dev.eventbank.projection.rebuild.ProjectionGenerations;
import dev.eventbank.projection.security.InternalCredentials;
import dev.eventbank.projection.totals.BankTotalsProjection;
import dev.eventbank.projection.totals.BankTotalsReader;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
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
import io.micronaut.security.annotation.Secured;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.UUID;

/**
 * The projection's internal read API, version 1, for the query service only ({@link InternalV1}; the query service
 * owns the public read API, its parameter checks and texts): {@code GET /internal/v1/accounts/{id}/events?fromVersion=&limit=},
 * {@code GET /internal/v1/accounts/{id}/state?asOfVersion=|asOf=} and {@code GET /internal/v1/bank/totals}. Typed:
 * the id is a UUID and the numbers are bound by Micronaut (anything else is the framework's 400); every outcome of a
 * read is a 200 with a typed code. A number out of its range ({@code fromVersion} and {@code asOfVersion} from 1,
 * {@code limit} 1..{@value #MAX_LIMIT}) is a 400 problem naming it, never clamped and never a 500: the query service
 * sends only values in range, so another value is a caller's bug to be seen, not guessed at. Thin: routes to the instance owning the account's partition
 * ({@link PartitionRouter}), delegates to {@link AccountTimeline} and {@link BankTotalsReader}. Store reads block, so
 * they run on the blocking executor. Answers carry {@code X-Projection-Generation}: the generation active when the
 * request arrived (whose stores answered it), so a rebuild's switch can be observed from outside.
 *
 * <p>Only the query service may call it, with the internal HTTP Basic credentials ({@link InternalCredentials}; the
 * security package's {@code InternalApiRule} refuses bearer tokens here whatever their roles).
 */
@Controller("/internal/v1")
@Secured(InternalCredentials.ROLE)
@ExecuteOn(TaskExecutors.BLOCKING)
final class InternalQueryController {

    static final int MAX_LIMIT = 1000;

    private final AccountTimeline timeline;
    private final PartitionRouter router;
    private final BankTotalsReader totals;
    private final ProjectionGenerations generations;
    private final InternalV1.Encoder encoder;

    InternalQueryController(AccountTimeline timeline, PartitionRouter router, BankTotalsReader totals,
                            ProjectionGenerations generations, SchemaRegistryClient registry) {
        this.timeline = timeline;
        this.router = router;
        this.totals = totals;
        this.generations = generations;
        this.encoder = new InternalV1.Encoder(registry);
    }

    @Get("/accounts/{id}/events")
    HttpResponse<?> events(HttpRequest<?> request, @PathVariable UUID id,
                           @QueryValue(defaultValue = "1") long fromVersion, @QueryValue(defaultValue = "100") int limit) {
        RequestRules.onlyParameters(request, "fromVersion", "limit");
        // UUID.toString is the one canonical form (lower case) every key and event carries: routed as such
        inRange("fromVersion", fromVersion, 1, Long.MAX_VALUE);
        inRange("limit", limit, 1, MAX_LIMIT);
        String accountId = id.toString();
        long generation = generations.active().number();
        return router.forwardIfRemote(accountId, request).orElseGet(() -> HttpResponse
                .ok(InternalV1.Events.of(timeline.eventBytes(accountId, fromVersion, limit)))
                .header(ProjectionGeneration.HEADER, String.valueOf(generation)));
    }

    @Get("/accounts/{id}/state")
    HttpResponse<?> state(HttpRequest<?> request, @PathVariable UUID id, @Nullable @QueryValue Long asOfVersion,
                          @Nullable @QueryValue String asOf) {
        RequestRules.onlyParameters(request, "asOfVersion", "asOf");
        if ((asOfVersion == null) == (asOf == null)) {
            throw ProjectionProblem.badRequest("give exactly one of asOfVersion and asOf");
        }
        if (asOfVersion != null) {
            inRange("asOfVersion", asOfVersion, 1, Long.MAX_VALUE);
        }
        Instant instant = asOf == null ? null : instant(asOf);
        String accountId = id.toString();
        long generation = generations.active().number();
        return router.forwardIfRemote(accountId, request).orElseGet(() -> HttpResponse
                .ok(encoder.state(instant == null ? timeline.asOfVersion(accountId, asOfVersion) : timeline.asOf(accountId, instant)))
                .header(ProjectionGeneration.HEADER, String.valueOf(generation)));
    }

    @Get("/bank/totals")
    HttpResponse<?> totals(HttpRequest<?> request) {
        RequestRules.onlyParameters(request);
        long generation = generations.active().number();
        return router.forwardIfRemote(BankTotalsProjection.STORE, BankTotalsProjection.KEY, request)
                .orElseGet(() -> HttpResponse.ok(encoder.totals(totals.read()))
                        .header(ProjectionGeneration.HEADER, String.valueOf(generation)));
    }

    /** A 400 problem naming {@code name} and its range unless {@code min <= value <= max}. */
    private static void inRange(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw ProjectionProblem.badRequest(name + " must be from " + min + " to "
                    + (max == Long.MAX_VALUE ? "9223372036854775807" : String.valueOf(max)) + ", got " + value);
        }
    }

    private static Instant instant(String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw ProjectionProblem.badRequest("asOf must be an ISO-8601 instant, got '" + TextRule.quote(value, 60) + "'");
        }
    }
}
