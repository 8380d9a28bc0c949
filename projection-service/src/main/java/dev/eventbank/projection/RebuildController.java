package dev.eventbank.projection;

import dev.eventbank.projection.rebuild.ProjectionGenerations;
import dev.eventbank.projection.rebuild.RebuildStatus;
import dev.eventbank.support.http.RequestRules;
import dev.eventbank.support.security.Roles;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;

import java.net.URI;

/**
 * The projection rebuild, for operators and {@code bin/rebuild-projections}: {@code POST /admin/rebuild} starts
 * the next generation from the beginning of the log (202 and its status; {@code ?autoSwitch=false} waits for
 * {@code POST /admin/rebuild/switch} once caught up), {@code GET /admin/rebuild} shows its progress,
 * {@code DELETE /admin/rebuild} cancels it. None takes a body or another query parameter (a 400 problem names it:
 * {@code ?autoswitch=false} would otherwise start a rebuild that switches by itself). A second start while one runs is a 409 problem. Thin: the work is in
 * {@link ProjectionGenerations}. Only the {@code operator} role may call it (a bearer token; others 403, none 401).
 * A request the rebuild's monitor has not carried out within {@code eventbank.rebuild.call-timeout} (90 s; it is
 * busy stopping a generation, or the broker is slow) is a 503 problem with {@code Retry-After}, not a 500: it is still
 * queued or running and may take effect, which {@code GET /admin/rebuild} shows.
 */
@Controller("/admin/rebuild")
@Secured(Roles.OPERATOR)
@ExecuteOn(TaskExecutors.BLOCKING)
final class RebuildController {

    private final ProjectionGenerations generations;

    RebuildController(ProjectionGenerations generations) {
        this.generations = generations;
    }

    @Post
    HttpResponse<RebuildStatus> start(HttpRequest<?> request, @Nullable @QueryValue String autoSwitch) {
        RequestRules.onlyParameters(request, "autoSwitch");
        RequestRules.noBody(request);
        if (autoSwitch != null && !autoSwitch.equals("true") && !autoSwitch.equals("false")) {
            throw ProjectionProblem.badRequest("autoSwitch must be true or false, got '" + autoSwitch + "'");
        }
        try {
            RebuildStatus started = generations.startRebuild(!"false".equals(autoSwitch));
            return HttpResponse.<RebuildStatus>accepted(URI.create("/admin/rebuild")).body(started);
        } catch (ProjectionGenerations.Conflict e) {
            throw ProjectionProblem.conflict("Rebuild not started", e.getMessage());
        } catch (ProjectionGenerations.Busy e) {
            throw ProjectionProblem.unavailable(e.getMessage());
        } catch (RuntimeException e) {
            // Kafka unreachable, topics not creatable, ...: nothing was started
            throw ProjectionProblem.unavailable("the rebuild could not start: " + e.getMessage());
        }
    }

    @Get
    RebuildStatus status(HttpRequest<?> request) {
        RequestRules.onlyParameters(request);
        return generations.status();
    }

    @Post("/switch")
    HttpResponse<RebuildStatus> switchWhenCaughtUp(HttpRequest<?> request) {
        RequestRules.onlyParameters(request);
        RequestRules.noBody(request);
        try {
            return HttpResponse.accepted(URI.create("/admin/rebuild")).body(generations.requestSwitch());
        } catch (ProjectionGenerations.Conflict e) {
            throw ProjectionProblem.conflict("Nothing to switch", e.getMessage());
        } catch (ProjectionGenerations.Busy e) {
            throw ProjectionProblem.unavailable(e.getMessage());
        }
    }

    @Delete
    HttpResponse<RebuildStatus> cancel(HttpRequest<?> request) {
        RequestRules.onlyParameters(request);
        RequestRules.noBody(request);
        try {
            return HttpResponse.ok(generations.cancel());
        } catch (ProjectionGenerations.Conflict e) {
            throw ProjectionProblem.conflict("Nothing to cancel", e.getMessage());
        } catch (ProjectionGenerations.Busy e) {
            throw ProjectionProblem.unavailable(e.getMessage());
        }
    }
}
