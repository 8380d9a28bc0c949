package dev.eventbank.projection.internalapi;

import dev.eventbank.projection.history.AccountTimeline;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.eventbank.schemas.AvroDecimals;
import dev.eventbank.schemas.events.AccountClosed;
import dev.eventbank.schemas.events.AccountOpened;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.events.MoneyDeposited;
import dev.eventbank.schemas.events.MoneyWithdrawn;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.readmodel.BankTotals;
import io.micronaut.serde.annotation.Serdeable;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON of the interactive-query endpoints, in the query service's public shape (the query service relays
 * it as is): amounts as decimal strings in the currency's scale, instants ISO-8601 UTC. Events reach it through
 * the upcasting deserializer ({@code AvroSerdes.value(BankAccountEvent.class, ...)}), so payloads are always of the
 * current version, whatever version the log holds.
 */
final class TimelineJson {

    private TimelineJson() {
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Event(long version, String eventType, String occurredAt, String eventId, String commandId,
                 String correlationId, Map<String, String> payload) {

        static Event of(BankAccountEvent event) {
            return new Event(event.getVersion(), event.getEventType(), event.getOccurredAt().toString(),
                    event.getEventId(), event.getCommandId(), event.getCorrelationId(), payloadJson(event.getPayload()));
        }
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Page(List<Event> items, Long next) {

        static Page of(AccountTimeline.Page page) {
            return new Page(page.items().stream().map(Event::of).toList(), page.next());
        }
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record State(String accountId, String accountNumber, String accountType, String owner, String email,
                 String currency, String balance, String status, long version, String openedAt, String updatedAt) {

        /** {@code accountType} and {@code email} are null when unknown (JSON null, as in the query service). */
        static State of(AccountState state) {
            return new State(state.getAccountId(), state.getAccountNumber(),
                    state.getAccountType() == null ? null : state.getAccountType().name(), state.getOwner(),
                    state.getEmail(), state.getCurrency(), money(state.getBalance(), state.getCurrency()),
                    state.getStatus().name(), state.getVersion(), state.getOpenedAt().toString(),
                    state.getUpdatedAt().toString());
        }
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Totals(Map<String, String> balances, Map<String, Long> accountsByStatus, long eventsApplied, String updatedAt) {

        static Totals of(BankTotals totals) {
            Map<String, String> balances = new TreeMap<>();
            totals.getBalances().forEach((currency, amount) -> balances.put(currency, money(amount, currency)));
            return new Totals(balances, new TreeMap<>(totals.getAccountsByStatus()), totals.getEventsApplied(),
                    totals.getUpdatedAt().toString());
        }
    }

    private static Map<String, String> payloadJson(Object payload) {
        Map<String, String> json = new LinkedHashMap<>();
        if (payload instanceof AccountOpened opened) {
            json.put("accountNumber", opened.getAccountNumber());
            json.put("owner", opened.getOwner());
            json.put("currency", opened.getCurrency());
            json.put("initialDeposit", money(opened.getInitialDeposit(), opened.getCurrency()));
            // version 2 fields; events of version 1 arrive upcast (accountType CHECKING, no email)
            json.put("email", opened.getEmail());
            json.put("accountType", opened.getAccountType() == null ? null : opened.getAccountType().name());
        } else if (payload instanceof MoneyDeposited deposited) {
            json.put("amount", money(deposited.getAmount(), deposited.getCurrency()));
            json.put("currency", deposited.getCurrency());
            json.put("balanceAfter", money(deposited.getBalanceAfter(), deposited.getCurrency()));
            json.put("reference", deposited.getReference());
        } else if (payload instanceof MoneyWithdrawn withdrawn) {
            json.put("amount", money(withdrawn.getAmount(), withdrawn.getCurrency()));
            json.put("currency", withdrawn.getCurrency());
            json.put("balanceAfter", money(withdrawn.getBalanceAfter(), withdrawn.getCurrency()));
        } else if (payload instanceof AccountClosed closed) {
            json.put("reason", closed.getReason());
        } else {
            throw new IllegalStateException("unhandled payload " + (payload == null ? null : payload.getClass()));
        }
        return json;
    }

    /** In the currency's scale; an amount that does not fit it (never written by our side) is shown as is. */
    private static String money(BigDecimal amount, String currency) {
        try {
            return AvroDecimals.fromWire(amount, currency).toPlainString();
        } catch (ArithmeticException | IllegalArgumentException e) {
            return amount.stripTrailingZeros().toPlainString();
        }
    }
}
