package dev.eventbank.command.rest;

import dev.eventbank.schemas.AvroDecimals;
import dev.eventbank.schemas.commands.BankAccountCommand;
import dev.eventbank.schemas.commands.CommandOutcome;
import dev.eventbank.schemas.commands.CommandResult;
import dev.eventbank.schemas.commands.DepositMoney;
import io.micronaut.http.HttpResponse;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How each committed outcome is answered over HTTP. */
class CommandResponsesTest {

    @Test
    void shouldAnswer201WithLocationAndETagWhenAnOpenIsAccepted() {
        HttpResponse<?> response = CommandResponses.of(result(CommandOutcome.ACCEPTED, 1, null), true, "c-1");
        assertEquals(201, response.code());
        assertEquals("/accounts/a-1", response.getHeaders().get("Location"));
        assertEquals("\"1\"", response.getHeaders().get("ETag"));
        assertEquals("c-1", response.getHeaders().get("X-Correlation-Id"));
    }

    @Test
    void shouldAnswer200WithETagWhenAnotherCommandIsAccepted() {
        HttpResponse<?> response = CommandResponses.of(result(CommandOutcome.ACCEPTED, 7, null), false, "c-1");
        assertEquals(200, response.code());
        assertEquals("\"7\"", response.getHeaders().get("ETag"));
    }

    @Test
    void shouldMapEveryOutcomeToItsStatusAndProblemType() {
        assertProblem(result(CommandOutcome.REJECTED, 3, "INSUFFICIENT_FUNDS"), 422, "/problems/insufficient-funds");
        assertProblem(result(CommandOutcome.REJECTED, 3, "NON_ZERO_BALANCE"), 422, "/problems/non-zero-balance");
        assertProblem(result(CommandOutcome.REJECTED, 0, "INVALID_AMOUNT"), 400, "/problems/invalid-amount");
        assertProblem(result(CommandOutcome.NOT_FOUND, 0, "ACCOUNT_NOT_FOUND"), 404, "/problems/account-not-found");
        assertProblem(result(CommandOutcome.CONFLICT, 4, null), 409, "/problems/version-conflict");
        assertProblem(result(CommandOutcome.KEY_REUSED, 4, null), 422, "/problems/idempotency-key-reused");
        assertProblem(result(CommandOutcome.REJECTED, 0, "ACCOUNT_NUMBER_TAKEN"), 409, "/problems/account-number-taken");
    }

    @Test
    void shouldReportNoVersionWhenAnOpenIsRefusedForATakenAccountNumber() {
        CommandProblem problem = CommandResponses.problem(result(CommandOutcome.REJECTED, 0, "ACCOUNT_NUMBER_TAKEN"));
        assertEquals("Account number taken", problem.title());
        assertEquals(java.util.Set.of("accountId", "commandId"), problem.members().keySet());
    }

    @Test
    void shouldNameNoAccountWhenAnOpenIsRefused() {
        for (String code : java.util.List.of("INVALID_AMOUNT", "INVALID_COMMAND", "ACCOUNT_NUMBER_TAKEN")) {
            // when: the id in the result is the one the refused account would have had
            HttpResponse<?> response = CommandResponses.of(result(CommandOutcome.REJECTED, 0, code), true, "c-1");

            // then
            Map<?, ?> problem = (Map<?, ?>) response.body();
            assertEquals(null, problem.get("accountId"), code + ": " + problem);
            assertEquals(null, problem.get("currentVersion"), code + ": " + problem);
            assertEquals("cmd-1", problem.get("commandId"), code + ": " + problem);
        }
        // refused because the account exists (or existed): named, with its version
        for (String code : java.util.List.of("ALREADY_OPEN", "ACCOUNT_CLOSED")) {
            Map<?, ?> problem = (Map<?, ?>) CommandResponses.of(result(CommandOutcome.REJECTED, 3, code), true, "c-1").body();
            assertEquals("a-1", problem.get("accountId"), code + ": " + problem);
            assertEquals(3L, problem.get("currentVersion"), code + ": " + problem);
        }
    }

    @Test
    void shouldCarryTheCurrentVersionWhenConflicting() {
        CommandProblem problem = CommandResponses.problem(result(CommandOutcome.CONFLICT, 4, null));
        assertEquals(4L, problem.members().get("currentVersion"));
        assertEquals("a-1", problem.members().get("accountId"));
        assertEquals("cmd-1", problem.members().get("commandId"));
    }

    private static void assertProblem(CommandResult result, int status, String type) {
        HttpResponse<?> response = CommandResponses.of(result, false, "c-1");
        assertEquals(status, response.code());
        assertEquals("application/problem+json", response.getContentType().orElseThrow().toString());
        assertEquals(type, ((Map<?, ?>) response.body()).get("type"));
    }

    private static CommandResult result(CommandOutcome outcome, long version, String code) {
        return CommandResult.newBuilder()
                .setCommandId("cmd-1")
                .setAccountId("a-1")
                .setOutcome(outcome)
                .setVersion(version)
                .setEventCount(outcome == CommandOutcome.ACCEPTED ? 1 : 0)
                .setRejectionCode(code)
                .setDetail("because")
                .setCompletedAt(Instant.EPOCH)
                .build();
    }
}
