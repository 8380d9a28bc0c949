package dev.eventbank.command.rest;

import dev.eventbank.command.gateway.RecentResults;
import dev.eventbank.schemas.commands.CommandOutcome;
import dev.eventbank.schemas.commands.CommandResult;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /commands/{commandId}}: the outcome of a command answered 202 earlier. 200 with the outcome once
 * known, 202 while this instance still waits for it, 404 when it knows nothing of it.
 *
 * <p>Limits: answers come from this instance's {@link RecentResults}, in memory and bounded: results committed
 * before the instance started, or evicted since, are unknown (404) here although the command was processed;
 * the event log, or the query service, then tells what happened.
 */
@Tag(name = "commands", description = "the outcome of a command answered 202 earlier")
@Controller("/commands")
final class CommandsController {

    private final RecentResults recent;

    CommandsController(RecentResults recent) {
        this.recent = recent;
    }

    @Operation(summary = "Poll the outcome of a command answered 202",
            description = "Outcomes are kept in memory per instance for a limited time; the event log or the query "
                    + "service tell what happened to older commands.")
    @ApiResponse(responseCode = "200", description = "the outcome, with the HTTP status the command was answered with",
            content = @Content(mediaType = "application/json", schema = @Schema(ref = "#/components/schemas/Outcome")))
    @ApiResponse(responseCode = "202", description = "still waiting for the outcome",
            headers = @Header(name = "Retry-After", schema = @Schema(type = "integer")),
            content = @Content(mediaType = "application/json", schema = @Schema(ref = "#/components/schemas/Pending")))
    @ApiResponse(responseCode = "404", description = "no outcome of this command is known on this instance",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "#/components/schemas/Problem")))
    @Get("/{commandId}")
    HttpResponse<?> get(@PathVariable String commandId) {
        Optional<CommandResult> result = recent.result(commandId);
        if (result.isPresent()) {
            return HttpResponse.ok(Outcome.of(result.get()));
        }
        if (recent.isPending(commandId)) {
            return HttpResponse.accepted().header(HttpHeaders.RETRY_AFTER, "1")
                    .body(new CommandResponses.Pending(commandId, null, "PENDING"));
        }
        throw new CommandProblem(io.micronaut.http.HttpStatus.NOT_FOUND, "/problems/command-not-found",
                "Command not found", "no outcome of command " + (commandId.length() > 40 ? commandId.substring(0, 40)
                + "..." : commandId) + " is known here: outcomes are kept in memory per instance, for a limited time",
                Map.of());
    }

    /** A command's outcome: what it did (ACCEPTED, with the version) or why not (code, detail, problem status). */
    @Serdeable
    record Outcome(String commandId, String accountId, String outcome, long version, int eventCount, int status,
                   String rejectionCode, String detail, Instant completedAt) {

        static Outcome of(CommandResult result) {
            int status = result.getOutcome() == CommandOutcome.ACCEPTED ? 200
                    : CommandResponses.problem(result).status().getCode();
            return new Outcome(result.getCommandId(), result.getAccountId(), result.getOutcome().name(),
                    result.getVersion(), result.getEventCount(), status, result.getRejectionCode(), result.getDetail(),
                    result.getCompletedAt());
        }
    }
}
