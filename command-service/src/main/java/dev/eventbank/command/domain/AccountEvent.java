package dev.eventbank.command.domain;

import java.time.Instant;
import java.util.Currency;
import java.util.Objects;

/**
 * What happened to one bank account, in the past tense. Events are facts: {@link BankAccount#evolve} applies
 * them without checking rules. The version of each event is assigned by whoever appends it (the next number
 * after the state's version), not carried here.
 */
public sealed interface AccountEvent {

    Instant occurredAt();

    /** {@code email} is optional (null); {@code ownerId} is the customer id that owns the account (null: none). */
    record AccountOpened(String accountNumber, String owner, Currency currency, Money initialDeposit,
                         String email, AccountType accountType, String ownerId, Instant occurredAt) implements AccountEvent {
        public AccountOpened {
            Objects.requireNonNull(accountNumber, "accountNumber");
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(currency, "currency");
            Objects.requireNonNull(initialDeposit, "initialDeposit");
            Objects.requireNonNull(accountType, "accountType");
            Objects.requireNonNull(occurredAt, "occurredAt");
        }

        /** An account no customer owns. */
        public AccountOpened(String accountNumber, String owner, Currency currency, Money initialDeposit,
                             String email, AccountType accountType, Instant occurredAt) {
            this(accountNumber, owner, currency, initialDeposit, email, accountType, null, occurredAt);
        }

        /** A checking account without e-mail. */
        public AccountOpened(String accountNumber, String owner, Currency currency, Money initialDeposit,
                             Instant occurredAt) {
            this(accountNumber, owner, currency, initialDeposit, null, AccountType.CHECKING, occurredAt);
        }
    }

    /** {@code reference} is optional (null). */
    record MoneyDeposited(Money amount, Money balanceAfter, String reference, Instant occurredAt) implements AccountEvent {
        public MoneyDeposited {
            Objects.requireNonNull(amount, "amount");
            Objects.requireNonNull(balanceAfter, "balanceAfter");
            Objects.requireNonNull(occurredAt, "occurredAt");
        }

        public MoneyDeposited(Money amount, Money balanceAfter, Instant occurredAt) {
            this(amount, balanceAfter, null, occurredAt);
        }
    }

    record MoneyWithdrawn(Money amount, Money balanceAfter, Instant occurredAt) implements AccountEvent {
        public MoneyWithdrawn {
            Objects.requireNonNull(amount, "amount");
            Objects.requireNonNull(balanceAfter, "balanceAfter");
            Objects.requireNonNull(occurredAt, "occurredAt");
        }
    }

    /** {@code reason} is optional (null). */
    record AccountClosed(String reason, Instant occurredAt) implements AccountEvent {
        public AccountClosed {
            Objects.requireNonNull(occurredAt, "occurredAt");
        }
    }
}
