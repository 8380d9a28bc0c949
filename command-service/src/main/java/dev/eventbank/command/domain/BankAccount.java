package dev.eventbank.command.domain;

import dev.eventbank.command.domain.AccountCommand.CloseAccount;
import dev.eventbank.command.domain.AccountCommand.DepositMoney;
import dev.eventbank.command.domain.AccountCommand.OpenAccount;
import dev.eventbank.command.domain.AccountCommand.WithdrawMoney;
import dev.eventbank.command.domain.AccountEvent.AccountClosed;
import dev.eventbank.command.domain.AccountEvent.AccountOpened;
import dev.eventbank.command.domain.AccountEvent.MoneyDeposited;
import dev.eventbank.command.domain.AccountEvent.MoneyWithdrawn;
import dev.eventbank.command.domain.AccountState.Closed;
import dev.eventbank.command.domain.AccountState.Initial;
import dev.eventbank.command.domain.AccountState.Open;
import dev.eventbank.command.domain.Decision.Accepted;
import dev.eventbank.command.domain.Decision.Rejected;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.List;

/**
 * The bank account decider: {@link #decide} checks a command against the current state and answers the
 * events that follow from it or a rejection; {@link #evolve} applies one event; {@link #initialState} is the
 * state before the first event. Pure functions: no clock, no I/O, no framework.
 *
 * <p>Rules:
 * <ul>
 *   <li>an account is opened once, with an initial deposit {@code >= 0}; ids are never reused;</li>
 *   <li>deposits and withdrawals are {@code > 0}, at most {@link Money#MAX_AMOUNT}, with no more decimals than
 *       the account's currency has;</li>
 *   <li>a withdrawal never takes the balance below zero; a deposit never above {@link Money#MAX_BALANCE};</li>
 *   <li>an account must be emptied before it is closed (NON_ZERO_BALANCE otherwise): money never leaves an
 *       account without an event that says where it went, so closing does not pay out implicitly;</li>
 *   <li>nothing is accepted on a closed account.</li>
 * </ul>
 */
public final class BankAccount {

    private BankAccount() {
    }

    public static AccountState initialState() {
        return new Initial();
    }

    public static Decision decide(AccountCommand command, AccountState state) {
        if (command instanceof OpenAccount open) {
            return open(open, state);
        }
        if (state instanceof Initial) {
            return new Rejected(RejectionCode.ACCOUNT_NOT_FOUND, "the account does not exist");
        }
        if (state instanceof Closed closed) {
            return new Rejected(RejectionCode.ACCOUNT_CLOSED, "the account was closed at version " + closed.version());
        }
        Open account = (Open) state;
        if (command instanceof DepositMoney deposit) {
            return deposit(deposit, account);
        }
        if (command instanceof WithdrawMoney withdraw) {
            return withdraw(withdraw, account);
        }
        if (command instanceof CloseAccount close) {
            return close(close, account);
        }
        throw new IllegalArgumentException("unhandled command " + command);
    }

    public static AccountState evolve(AccountState state, AccountEvent event) {
        if (state instanceof Initial && event instanceof AccountOpened opened) {
            return new Open(opened.accountNumber(), opened.owner(), opened.ownerId(), opened.initialDeposit(), 1);
        }
        if (state instanceof Open open && event instanceof MoneyDeposited deposited) {
            return open.withBalance(deposited.balanceAfter());
        }
        if (state instanceof Open open && event instanceof MoneyWithdrawn withdrawn) {
            return open.withBalance(withdrawn.balanceAfter());
        }
        if (state instanceof Open open && event instanceof AccountClosed) {
            return new Closed(open.accountNumber(), open.owner(), open.ownerId(), open.currency(), open.version() + 1);
        }
        throw new IllegalStateException("event " + event.getClass().getSimpleName() + " cannot follow state "
                + state.getClass().getSimpleName() + " at version " + state.version());
    }

    /** Folds {@code events} from the initial state: the state after them. */
    public static AccountState replay(List<? extends AccountEvent> events) {
        AccountState state = initialState();
        for (AccountEvent event : events) {
            state = evolve(state, event);
        }
        return state;
    }

    private static Decision open(OpenAccount command, AccountState state) {
        if (state instanceof Open) {
            return new Rejected(RejectionCode.ALREADY_OPEN, "an account with this id is already open");
        }
        if (state instanceof Closed) {
            return new Rejected(RejectionCode.ACCOUNT_CLOSED, "an account with this id existed and is closed; ids are never reused");
        }
        String invalid = invalidAmount("initialDeposit", command.initialDeposit(), command.currency(), true);
        if (invalid != null) {
            return new Rejected(RejectionCode.INVALID_AMOUNT, invalid);
        }
        return new Accepted(List.of(new AccountOpened(command.accountNumber(), command.owner(), command.currency(),
                new Money(command.initialDeposit(), command.currency()), command.email(), command.accountType(),
                command.ownerId(), command.issuedAt())));
    }

    private static Decision deposit(DepositMoney command, Open account) {
        String invalid = invalidAmount("amount", command.amount(), account.currency(), false);
        if (invalid != null) {
            return new Rejected(RejectionCode.INVALID_AMOUNT, invalid);
        }
        Money amount = new Money(command.amount(), account.currency());
        Money after = account.balance().plus(amount);
        if (after.amount().compareTo(Money.MAX_BALANCE) > 0) {
            return new Rejected(RejectionCode.BALANCE_LIMIT, "a deposit of " + amount + " would take the balance to "
                    + after + ", above the limit of " + Money.MAX_BALANCE.toPlainString());
        }
        return new Accepted(List.of(new MoneyDeposited(amount, after, command.reference(), command.issuedAt())));
    }

    private static Decision withdraw(WithdrawMoney command, Open account) {
        String invalid = invalidAmount("amount", command.amount(), account.currency(), false);
        if (invalid != null) {
            return new Rejected(RejectionCode.INVALID_AMOUNT, invalid);
        }
        Money amount = new Money(command.amount(), account.currency());
        if (account.balance().isLessThan(amount)) {
            return new Rejected(RejectionCode.INSUFFICIENT_FUNDS, "the balance of " + account.balance()
                    + " does not cover a withdrawal of " + amount);
        }
        return new Accepted(List.of(new MoneyWithdrawn(amount, account.balance().minus(amount), command.issuedAt())));
    }

    private static Decision close(CloseAccount command, Open account) {
        if (!account.balance().isZero()) {
            return new Rejected(RejectionCode.NON_ZERO_BALANCE, "the account still holds " + account.balance()
                    + "; withdraw it before closing the account");
        }
        return new Accepted(List.of(new AccountClosed(command.reason(), command.issuedAt())));
    }

    /** Why {@code amount} is not acceptable for {@code currency}, or null when it is. */
    private static String invalidAmount(String name, BigDecimal amount, Currency currency, boolean zeroAllowed) {
        if (zeroAllowed ? amount.signum() < 0 : amount.signum() <= 0) {
            return name + " must be " + (zeroAllowed ? "zero or more" : "more than zero") + ", got " + plain(amount);
        }
        if (amount.compareTo(Money.MAX_AMOUNT) > 0) {
            return name + " must be at most " + Money.MAX_AMOUNT.toPlainString() + ", got " + plain(amount);
        }
        if (!Money.fitsCurrency(amount, currency)) {
            return name + " " + plain(amount) + " has more decimals than " + currency.getCurrencyCode()
                    + " allows (" + Money.fractionDigits(currency) + ")";
        }
        return null;
    }

    /** 10.5000 as 10.5; a huge exponent stays in scientific notation rather than printing a million zeros. */
    private static String plain(BigDecimal amount) {
        BigDecimal stripped = amount.stripTrailingZeros();
        return Math.abs(stripped.scale()) > 40 ? stripped.toString() : stripped.toPlainString();
    }
}
