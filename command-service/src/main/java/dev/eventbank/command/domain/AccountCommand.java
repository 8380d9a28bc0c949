package dev.eventbank.command.domain;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.Objects;

/**
 * What a client asks of one bank account, in the imperative. Amounts arrive as plain decimals: whether they
 * fit the account's currency is a rule {@link BankAccount#decide} checks, since only the account knows its
 * currency (except when opening it). The account is the stream key and is not repeated here.
 *
 * <p>{@link #issuedAt()} is the time of the request, passed in so that deciding never reads a clock.
 */
public sealed interface AccountCommand {

    Instant issuedAt();

    /**
     * Opens a new account with an initial deposit (which may be zero); {@code email} is optional (null), the
     * account type defaults to {@link AccountType#CHECKING}; {@code ownerId} is the customer id that will own the
     * account (null: no customer owns it, only tellers move it).
     */
    record OpenAccount(String accountNumber, String owner, Currency currency, BigDecimal initialDeposit,
                       String email, AccountType accountType, String ownerId, Instant issuedAt) implements AccountCommand {
        public OpenAccount {
            Objects.requireNonNull(accountNumber, "accountNumber");
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(currency, "currency");
            Objects.requireNonNull(initialDeposit, "initialDeposit");
            Objects.requireNonNull(accountType, "accountType");
            Objects.requireNonNull(issuedAt, "issuedAt");
        }

        /** An account no customer owns. */
        public OpenAccount(String accountNumber, String owner, Currency currency, BigDecimal initialDeposit,
                           String email, AccountType accountType, Instant issuedAt) {
            this(accountNumber, owner, currency, initialDeposit, email, accountType, null, issuedAt);
        }

        /** A checking account without e-mail, as every account was before both existed. */
        public OpenAccount(String accountNumber, String owner, Currency currency, BigDecimal initialDeposit,
                           Instant issuedAt) {
            this(accountNumber, owner, currency, initialDeposit, null, AccountType.CHECKING, issuedAt);
        }
    }

    /** Puts money into an open account; {@code reference} (the payer's) is optional (null). */
    record DepositMoney(BigDecimal amount, String reference, Instant issuedAt) implements AccountCommand {
        public DepositMoney {
            Objects.requireNonNull(amount, "amount");
            Objects.requireNonNull(issuedAt, "issuedAt");
        }

        public DepositMoney(BigDecimal amount, Instant issuedAt) {
            this(amount, null, issuedAt);
        }
    }

    /** Takes money out of an open account; never below a zero balance. */
    record WithdrawMoney(BigDecimal amount, Instant issuedAt) implements AccountCommand {
        public WithdrawMoney {
            Objects.requireNonNull(amount, "amount");
            Objects.requireNonNull(issuedAt, "issuedAt");
        }
    }

    /** Closes an open account whose balance is zero; {@code reason} is optional (null). */
    record CloseAccount(String reason, Instant issuedAt) implements AccountCommand {
        public CloseAccount {
            Objects.requireNonNull(issuedAt, "issuedAt");
        }
    }
}
