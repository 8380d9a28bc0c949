package dev.eventbank.bench.peer;

import java.math.BigDecimal;

/**
 * The peer's events, past tense, stored as JSON by Axon's {@code JacksonSerializer} in PostgreSQL's
 * {@code domainevententry} table. Like ours they carry the balance after the change, so the read model's update is a
 * plain set that can be applied twice without harm. Versions are not in the payload: Axon's sequence number (from 0)
 * is the event's position in its aggregate, and our version is that plus one.
 */
final class AccountEvents {

    private AccountEvents() {
    }

    record AccountOpened(String accountId, String owner, String currency, BigDecimal initialDeposit) {
    }

    record MoneyDeposited(String accountId, BigDecimal amount, BigDecimal balanceAfter) {
    }

    record MoneyWithdrawn(String accountId, BigDecimal amount, BigDecimal balanceAfter) {
    }
}
