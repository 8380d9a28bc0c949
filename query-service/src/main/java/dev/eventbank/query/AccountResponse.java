package dev.eventbank.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.eventbank.schemas.readmodel.AccountState;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.Schema;

import java.util.List;

/**
 * One account as JSON: amounts as decimal strings in the currency's scale ("120.00"), instants as ISO-8601 UTC;
 * {@code accountType} ({@code CHECKING} | {@code SAVINGS}) and {@code email} are null when unknown (no e-mail was
 * given; a state the projection wrote before it carried them, until it is rebuilt). {@code ownerId} is the customer
 * id that owns the account (a customer's token subject; shown to every reader, so to a customer its own id), null
 * for accounts opened before owners were recorded. The latest state, the listing and time travel (a state the
 * projection folded) are all written by this one class.
 */
@Serdeable
@JsonInclude(JsonInclude.Include.ALWAYS)
record AccountResponse(String accountId, String accountNumber,
                       @Schema(nullable = true, allowableValues = {"CHECKING", "SAVINGS"}) String accountType,
                       String owner, @Schema(nullable = true, description = "the customer id that owns the account") String ownerId,
                       @Schema(nullable = true) String email, String currency, String balance,
                       String status, long version, String openedAt, String updatedAt) {

    static AccountResponse of(AccountState state) {
        return new AccountResponse(state.getAccountId(), state.getAccountNumber(),
                state.getAccountType() == null ? null : state.getAccountType().name(), state.getOwner(),
                state.getOwnerId(), state.getEmail(), state.getCurrency(), Amounts.text(state.getBalance(), state.getCurrency()),
                state.getStatus().name(), state.getVersion(), state.getOpenedAt().toString(),
                state.getUpdatedAt().toString());
    }

    /** A page of the listing; {@code next} is null on the last page (present in the JSON as null). */
    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Page(List<AccountResponse> items, String next) {

        static Page of(AccountQueries.Page page) {
            return new Page(page.items().stream().map(AccountResponse::of).toList(), page.next());
        }
    }
}
