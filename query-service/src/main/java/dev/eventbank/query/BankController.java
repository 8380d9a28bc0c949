package dev.eventbank.query;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;

import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /bank/totals}: total balance per currency and account counts by status,
 * {@code {"balances":{"EUR":"120.00"},"accountsByStatus":{"OPEN":3,"CLOSED":1},"eventsApplied":9,"updatedAt":"..."}},
 * relayed from the projection's {@code bank-totals-store} (maintained exactly once per event).
 */
@Controller("/bank")
final class BankController {

    private final ProjectionClient projection;

    BankController(ProjectionClient projection) {
        this.projection = projection;
    }

    @Get("/totals")
    CompletableFuture<HttpResponse<?>> totals() {
        return projection.relay("iq/bank/totals");
    }
}
