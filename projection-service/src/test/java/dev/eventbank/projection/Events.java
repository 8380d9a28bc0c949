package dev.eventbank.projection;

import dev.eventbank.schemas.AvroDecimals;
import dev.eventbank.schemas.common.AccountType;
import dev.eventbank.schemas.events.AccountClosed;
import dev.eventbank.schemas.events.AccountOpened;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.events.MoneyDeposited;
import dev.eventbank.schemas.events.MoneyWithdrawn;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/** Builds the events a command service would append, for tests. */
final class Events {

    static final Instant T0 = Instant.parse("2025-01-01T10:00:00Z");

    private Events() {
    }

    static BankAccountEvent opened(String accountId, String initialDeposit) {
        return event(accountId, 1, "AccountOpened", new AccountOpened("NL00EVBK0000000001", "Ada Lovelace", "EUR",
                AvroDecimals.toWire(new BigDecimal(initialDeposit)), null, null));
    }

    /** An AccountOpened of version 2 with an e-mail address (or null) and an account type. */
    static BankAccountEvent opened(String accountId, String initialDeposit, String email, AccountType accountType) {
        return event(accountId, 1, "AccountOpened", new AccountOpened("NL00EVBK0000000001", "Ada Lovelace", "EUR",
                AvroDecimals.toWire(new BigDecimal(initialDeposit)), email, accountType));
    }

    static BankAccountEvent deposited(String accountId, long version, String amount, String balanceAfter) {
        return event(accountId, version, "MoneyDeposited", new MoneyDeposited(AvroDecimals.toWire(new BigDecimal(amount)),
                "EUR", AvroDecimals.toWire(new BigDecimal(balanceAfter)), null));
    }

    static BankAccountEvent withdrawn(String accountId, long version, String amount, String balanceAfter) {
        return event(accountId, version, "MoneyWithdrawn", new MoneyWithdrawn(AvroDecimals.toWire(new BigDecimal(amount)),
                "EUR", AvroDecimals.toWire(new BigDecimal(balanceAfter))));
    }

    static BankAccountEvent closed(String accountId, long version) {
        return event(accountId, version, "AccountClosed", new AccountClosed("customer request"));
    }

    private static BankAccountEvent event(String accountId, long version, String type, Object payload) {
        return BankAccountEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setAggregateId(accountId)
                .setAggregateType("BankAccount")
                .setVersion(version)
                .setEventType(type)
                .setOccurredAt(T0.plusSeconds(version))
                .setCommandId(UUID.randomUUID().toString())
                .setCorrelationId(UUID.randomUUID().toString())
                .setPayload(payload)
                .build();
    }
}
