package dev.eventbank.query;

import dev.eventbank.support.http.RequestRules;
import dev.eventbank.support.security.Roles;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.security.annotation.Secured;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /bank/totals}: total balance per currency and account counts by status,
 * {@code {"balances":{"EUR":"120.00"},"accountsByStatus":{"OPEN":3,"CLOSED":1},"eventsApplied":9,"updatedAt":"..."}},
 * read from the projection's {@code bank-totals-store} (maintained exactly once per event). Bank-wide figures:
 * tellers and auditors only (a customer or an operator: 403).
 */
@Tag(name = "bank", description = "bank-wide figures")
@Controller("/bank")
@Secured({Roles.TELLER, Roles.AUDITOR})
final class BankController {

    private final ProjectionReads projection;

    BankController(ProjectionReads projection) {
        this.projection = projection;
    }

    @Operation(summary = "Total balance per currency and account counts by status")
    @ApiResponse(responseCode = "200", description = "the totals",
            content = @Content(mediaType = "application/json", schema = @Schema(ref = "#/components/schemas/BankTotals")))
    @ApiResponse(responseCode = "503", ref = "#/components/responses/Unavailable")
    @Get("/totals")
    CompletableFuture<TotalsResponse> totals(io.micronaut.http.HttpRequest<?> request) {
        RequestRules.onlyParameters(request);
        return projection.totals();
    }
}
