package dev.eventbank.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.eventbank.schemas.events.AccountClosed;
import dev.eventbank.schemas.events.AccountOpened;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.events.MoneyDeposited;
import dev.eventbank.schemas.events.MoneyWithdrawn;
import io.micronaut.serde.annotation.Serdeable;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One event of an account's history as JSON ({@code GET /accounts/{id}/events}): the envelope's ids, the event type,
 * {@code occurredAt} ISO-8601 UTC and the payload with amounts as decimal strings in the currency's scale. Events
 * reach it through the upcasting deserializer, so payloads are always of the current version (a version 1
 * {@code AccountOpened} shows {@code accountType} CHECKING and {@code email} null), whatever the log holds.
 */
@Serdeable
@JsonInclude(JsonInclude.Include.ALWAYS)
record EventResponse(long version, String eventType, String occurredAt, String eventId, String commandId,
                     String correlationId, Map<String, String> payload) {

    static EventResponse of(BankAccountEvent event) {
        return new EventResponse(event.getVersion(), event.getEventType(), event.getOccurredAt().toString(),
                event.getEventId(), event.getCommandId(), event.getCorrelationId(), payload(event.getPayload()));
    }

    /** One page of history; {@code next} is the {@code fromVersion} of the following page, null on the last. */
    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Page(List<EventResponse> items, Long next) {

        static Page of(List<BankAccountEvent> events, Long next) {
            return new Page(events.stream().map(EventResponse::of).toList(), next);
        }
    }

    private static Map<String, String> payload(Object payload) {
        Map<String, String> json = new LinkedHashMap<>();
        if (payload instanceof AccountOpened opened) {
            json.put("accountNumber", opened.getAccountNumber());
            json.put("owner", opened.getOwner());
            json.put("currency", opened.getCurrency());
            json.put("initialDeposit", Amounts.text(opened.getInitialDeposit(), opened.getCurrency()));
            json.put("email", opened.getEmail());
            json.put("accountType", opened.getAccountType() == null ? null : opened.getAccountType().name());
            json.put("ownerId", opened.getOwnerId());
        } else if (payload instanceof MoneyDeposited deposited) {
            json.put("amount", Amounts.text(deposited.getAmount(), deposited.getCurrency()));
            json.put("currency", deposited.getCurrency());
            json.put("balanceAfter", Amounts.text(deposited.getBalanceAfter(), deposited.getCurrency()));
            json.put("reference", deposited.getReference());
        } else if (payload instanceof MoneyWithdrawn withdrawn) {
            json.put("amount", Amounts.text(withdrawn.getAmount(), withdrawn.getCurrency()));
            json.put("currency", withdrawn.getCurrency());
            json.put("balanceAfter", Amounts.text(withdrawn.getBalanceAfter(), withdrawn.getCurrency()));
        } else if (payload instanceof AccountClosed closed) {
            json.put("reason", closed.getReason());
        } else {
            throw new IllegalStateException("unhandled payload " + (payload == null ? null : payload.getClass()));
        }
        return json;
    }
}
