package dev.eventbank.command.rest;

import dev.eventbank.support.problem.ProblemTypes;
import io.micronaut.http.HttpStatus;

import java.util.Map;

/**
 * A client-facing error of the command API, rendered as {@code application/problem+json} (RFC 9457) by
 * {@link ProblemHandlers}: status, a type URI from the API's one catalogue (service-support's {@link ProblemTypes},
 * documented in docs/problems.md) such as {@code /problems/insufficient-funds}, a title, a detail that says what to
 * do, and extension members at the top level ({@code accountId}, {@code currentVersion}).
 */
final class CommandProblem extends RuntimeException {

    private final HttpStatus status;
    private final String type;
    private final String title;
    private final Map<String, Object> members;

    CommandProblem(HttpStatus status, String type, String title, String detail, Map<String, Object> members) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
        this.members = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(members));
    }

    static CommandProblem badRequest(String detail) {
        return new CommandProblem(HttpStatus.BAD_REQUEST, ProblemTypes.INVALID_REQUEST, "Invalid request", detail, Map.of());
    }

    /** 403: the caller's token is valid, but its role may not send this request (the detail says what it may do). */
    static CommandProblem forbidden(String detail) {
        return new CommandProblem(HttpStatus.FORBIDDEN, ProblemTypes.FORBIDDEN, "Forbidden", detail, Map.of());
    }

    static CommandProblem accountNotFound(String detail, Map<String, Object> members) {
        return new CommandProblem(HttpStatus.NOT_FOUND, ProblemTypes.ACCOUNT_NOT_FOUND, "Account not found", detail, members);
    }

    /** The type URI of a rejection code: {@code INSUFFICIENT_FUNDS} -> {@code /problems/insufficient-funds}. */
    static String typeOf(String code) {
        return ProblemTypes.ofCode(code);
    }

    HttpStatus status() {
        return status;
    }

    String type() {
        return type;
    }

    String title() {
        return title;
    }

    Map<String, Object> members() {
        return members;
    }
}
