package dev.eventbank.command.domain;

import java.util.Currency;
import java.util.Objects;

/**
 * The phases of one bank account as the decider sees them: not opened yet, open, closed. Each phase carries
 * only what deciding in that phase needs, plus the version (number of events applied so far).
 */
public sealed interface AccountState {

    /** Number of events applied: 0 before the account is opened, then 1, 2, ... */
    long version();

    /** No event yet: only {@link AccountCommand.OpenAccount} is accepted. */
    record Initial() implements AccountState {
        @Override
        public long version() {
            return 0;
        }
    }

    /** {@code ownerId}: the customer id that owns the account, null when no customer does. */
    record Open(String accountNumber, String owner, String ownerId, Money balance, long version) implements AccountState {
        public Open {
            Objects.requireNonNull(accountNumber, "accountNumber");
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(balance, "balance");
        }

        /** An account no customer owns. */
        public Open(String accountNumber, String owner, Money balance, long version) {
            this(accountNumber, owner, null, balance, version);
        }

        public Currency currency() {
            return balance.currency();
        }

        Open withBalance(Money newBalance) {
            return new Open(accountNumber, owner, ownerId, newBalance, version + 1);
        }
    }

    /** Closed for good (ids are never reused); its balance was zero when it closed. */
    record Closed(String accountNumber, String owner, String ownerId, Currency currency, long version) implements AccountState {
        public Closed {
            Objects.requireNonNull(accountNumber, "accountNumber");
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(currency, "currency");
        }

        /** An account no customer owned. */
        public Closed(String accountNumber, String owner, Currency currency, long version) {
            this(accountNumber, owner, null, currency, version);
        }
    }
}
