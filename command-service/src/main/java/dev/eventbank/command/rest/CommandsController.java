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
@Controller("/commands")
final class CommandsController {

    private final RecentResults recent;

    CommandsController(RecentResults recent) {
        this.recent = recent;
    }

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
