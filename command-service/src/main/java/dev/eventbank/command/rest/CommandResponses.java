package dev.eventbank.command.rest;

import dev.eventbank.command.writer.AccountNumbers;
import dev.eventbank.schemas.commands.CommandOutcome;
import dev.eventbank.schemas.commands.CommandResult;
import dev.eventbank.support.problem.ProblemTypes;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.serde.annotation.Serdeable;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The HTTP answer to a committed {@link CommandResult}: ACCEPTED -> 201 (open) or 200 with {@code ETag};
 * REJECTED -> 422 problem typed by its code ({@code /problems/insufficient-funds}), except INVALID_AMOUNT and
 * INVALID_COMMAND -> 400, and ACCOUNT_NUMBER_TAKEN -> 409 {@code /problems/account-number-taken} (its detail names
 * the number); NOT_FOUND -> 404; CONFLICT -> 409 with {@code currentVersion}; KEY_REUSED -> 422.
 */
final class CommandResponses {

    private CommandResponses() {
    }

    static HttpResponse<?> of(CommandResult result, boolean opening, String correlationId) {
        if (result.getOutcome() == CommandOutcome.ACCEPTED) {
            MutableHttpResponse<Accepted> response = opening
                    ? HttpResponse.created(new Accepted(result.getAccountId(), result.getVersion()))
                    .header(HttpHeaders.LOCATION, "/accounts/" + result.getAccountId())
                    : HttpResponse.ok(new Accepted(result.getAccountId(), result.getVersion()));
            return response.header(HttpHeaders.ETAG, etag(result.getVersion()))
                    .header(CommandHeaders.CORRELATION_ID, correlationId);
        }
        return ProblemHandlers.render(problem(result, opening)).header(CommandHeaders.CORRELATION_ID, correlationId);
    }

    static String etag(long version) {
        return "\"" + version + "\"";
    }

    /** Rejection codes of an open after which no account exists: the open's problem names none. */
    private static final java.util.Set<String> UNOPENED = java.util.Set.of("INVALID_AMOUNT", "INVALID_COMMAND",
            AccountNumbers.TAKEN);

    /** The problem a non-accepted result of a command on an existing account is answered with. */
    static CommandProblem problem(CommandResult result) {
        return problem(result, false);
    }

    /**
     * The problem a non-accepted result is answered with. An open refused for its input or its account number names
     * no account: the id it carries is the one the account would have had, which no account has (and no version).
     */
    static CommandProblem problem(CommandResult result, boolean opening) {
        // refusals that leave no account behind; ALREADY_OPEN and ACCOUNT_CLOSED name the account that exists
        boolean unopened = opening && result.getOutcome() == CommandOutcome.REJECTED
                && UNOPENED.contains(String.valueOf(result.getRejectionCode()));
        Map<String, Object> members = new LinkedHashMap<>();
        if (!unopened) {
            members.put("accountId", result.getAccountId());
        }
        members.put("commandId", result.getCommandId());
        String detail = result.getDetail() == null ? "" : result.getDetail();
        return switch (result.getOutcome()) {
            case NOT_FOUND -> CommandProblem.accountNotFound(detail, members);
            case CONFLICT -> {
                members.put("currentVersion", result.getVersion());
                // an open whose If-Match names a version: the account it would have opened does not exist, so its id
                // is no account's (docs/problems.md: a refused open names no account)
                boolean unopenedConflict = opening && result.getVersion() == 0;
                if (unopenedConflict) {
                    members.remove("accountId");
                }
                yield new CommandProblem(HttpStatus.CONFLICT, "/problems/version-conflict", "Version conflict",
                        unopenedConflict
                                ? "an account being opened has no version yet: send If-Match: " + etag(0) + " or no If-Match"
                                : detail + "; read the account again and retry with If-Match: " + etag(result.getVersion()),
                        members);
            }
            case KEY_REUSED -> new CommandProblem(HttpStatus.UNPROCESSABLE_ENTITY, "/problems/idempotency-key-reused",
                    "Idempotency-Key reused with a different request",
                    "this Idempotency-Key was first used for a different request on this account; use a new key", members);
            case REJECTED -> rejected(result, detail, members, !unopened);
            case ACCEPTED -> throw new IllegalArgumentException("an accepted result is not a problem");
        };
    }

    private static CommandProblem rejected(CommandResult result, String detail, Map<String, Object> members,
                                           boolean withVersion) {
        String code = result.getRejectionCode() == null ? "REJECTED" : result.getRejectionCode();
        if (AccountNumbers.TAKEN.equals(code)) {
            // the account was not opened: no version to report; the holder's id is not the caller's to know
            return new CommandProblem(HttpStatus.CONFLICT, ProblemTypes.ACCOUNT_NUMBER_TAKEN, "Account number taken",
                    detail, members);
        }
        if (withVersion) {
            members.put("currentVersion", result.getVersion());
        }
        HttpStatus status = switch (code) {
            case "INVALID_AMOUNT", "INVALID_COMMAND" -> HttpStatus.BAD_REQUEST;
            case "ACCOUNT_NOT_FOUND" -> HttpStatus.NOT_FOUND;
            default -> HttpStatus.UNPROCESSABLE_ENTITY;
        };
        return new CommandProblem(status, CommandProblem.typeOf(code), title(code), detail, members);
    }

    private static String title(String code) {
        return switch (code) {
            case "INSUFFICIENT_FUNDS" -> "Insufficient funds";
            case "ALREADY_OPEN" -> "Account already open";
            case "ACCOUNT_CLOSED" -> "Account closed";
            case "NON_ZERO_BALANCE" -> "Account not empty";
            case "BALANCE_LIMIT" -> "Balance limit exceeded";
            case "INVALID_AMOUNT" -> "Invalid amount";
            case "INVALID_COMMAND" -> "Invalid command";
            default -> "Command rejected";
        };
    }

    /** Body of a 2xx command response. */
    @Serdeable
    record Accepted(String accountId, long version) {
    }
}
