package dev.eventbank.query;

import dev.eventbank.schemas.common.AccountType;
import dev.eventbank.schemas.events.AccountClosed;
import dev.eventbank.schemas.events.AccountOpened;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.events.MoneyDeposited;
import dev.eventbank.schemas.events.MoneyWithdrawn;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The public JSON of one event of an account's history, one test per event type. */
class EventResponseTest {

    private static final String ID = "2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091";

    @Test
    void shouldShowTheOpeningWithItsTypeAndEmailWhenAccountOpened() {
        // when
        EventResponse json = EventResponse.of(event(1, "AccountOpened", new AccountOpened("NL00EVBK0000000001",
                "Ada Lovelace", "EUR", new BigDecimal("100.0000"), null, AccountType.CHECKING, "customer-7")));

        // then: amounts in the currency's scale; a missing e-mail address is there, as null
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("accountNumber", "NL00EVBK0000000001");
        expected.put("owner", "Ada Lovelace");
        expected.put("currency", "EUR");
        expected.put("initialDeposit", "100.00");
        expected.put("email", null);
        expected.put("accountType", "CHECKING");
        expected.put("ownerId", "customer-7");
        assertEquals(expected, json.payload());
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(json.payload().keySet()));
        assertEquals(1, json.version());
        assertEquals("AccountOpened", json.eventType());
        assertEquals("2025-01-01T10:00:01Z", json.occurredAt());
    }

    @Test
    void shouldShowAmountAndBalanceWhenMoneyDeposited() {
        EventResponse json = EventResponse.of(event(2, "MoneyDeposited", new MoneyDeposited(new BigDecimal("1234.0000"),
                "JPY", new BigDecimal("2234.0000"), null)));
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("amount", "1234");
        expected.put("currency", "JPY");
        expected.put("balanceAfter", "2234");
        expected.put("reference", null);
        assertEquals(expected, json.payload());
    }

    @Test
    void shouldShowAmountAndBalanceWhenMoneyWithdrawn() {
        EventResponse json = EventResponse.of(event(3, "MoneyWithdrawn", new MoneyWithdrawn(new BigDecimal("0.5000"),
                "EUR", new BigDecimal("99.5000"))));
        assertEquals(Map.of("amount", "0.50", "currency", "EUR", "balanceAfter", "99.50"), json.payload());
    }

    @Test
    void shouldShowTheReasonWhenAccountClosed() {
        EventResponse json = EventResponse.of(event(4, "AccountClosed", new AccountClosed("customer request")));
        assertEquals(Map.of("reason", "customer request"), json.payload());
        assertEquals("evt-4", json.eventId());
        assertEquals("cmd-4", json.commandId());
        assertEquals("corr-4", json.correlationId());
    }

    private static BankAccountEvent event(long version, String type, Object payload) {
        return BankAccountEvent.newBuilder().setEventId("evt-" + version).setAggregateId(ID).setAggregateType("BankAccount")
                .setVersion(version).setEventType(type).setOccurredAt(Instant.parse("2025-01-01T10:00:00Z").plusSeconds(version))
                .setCommandId("cmd-" + version).setCorrelationId("corr-" + version).setPayload(payload).build();
    }
}
