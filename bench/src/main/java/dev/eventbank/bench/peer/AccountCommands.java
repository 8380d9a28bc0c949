package dev.eventbank.bench.peer;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

import java.math.BigDecimal;

/**
 * The peer's commands, imperative, as an Axon team writes them: the target account is marked with
 * {@link TargetAggregateIdentifier} so Axon's command bus routes and locks by it. Amounts are exact {@link BigDecimal}s.
 */
final class AccountCommands {

    private AccountCommands() {
    }

    /** Opens an account under an id chosen by the caller (the REST layer makes a UUID). */
    record OpenAccount(@TargetAggregateIdentifier String accountId, String owner, String currency, BigDecimal initialDeposit) {
    }

    /** Answers with the account's version after the deposit. */
    record DepositMoney(@TargetAggregateIdentifier String accountId, BigDecimal amount) {
    }

    /** Answers with the account's version after the withdrawal; rejected if the balance does not cover it. */
    record WithdrawMoney(@TargetAggregateIdentifier String accountId, BigDecimal amount) {
    }
}
