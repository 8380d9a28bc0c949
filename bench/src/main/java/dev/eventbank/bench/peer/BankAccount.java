package dev.eventbank.bench.peer;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import dev.eventbank.bench.peer.AccountCommands.DepositMoney;
import dev.eventbank.bench.peer.AccountCommands.OpenAccount;
import dev.eventbank.bench.peer.AccountCommands.WithdrawMoney;
import dev.eventbank.bench.peer.AccountEvents.AccountOpened;
import dev.eventbank.bench.peer.AccountEvents.MoneyDeposited;
import dev.eventbank.bench.peer.AccountEvents.MoneyWithdrawn;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.modelling.command.AggregateIdentifier;

import java.math.BigDecimal;
import java.util.Currency;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

/**
 * The peer's event-sourced bank account, the way Axon's AxonBank and giftcard examples are written: command handlers
 * check the rules and apply events, event-sourcing handlers only change state. Same rules as ours: exact amounts in
 * the account's currency (no more decimals than it has), positive amounts, no overdraft.
 *
 * <p>Axon's repository loads the account (from its cache, else from the last snapshot and the events after it),
 * holds an in-JVM lock on the account for the whole unit of work, so two commands on one account run one after the
 * other, and appends the applied events when the unit of work commits. The fields are serialized by Jackson into
 * snapshots, hence the field visibility.
 *
 * <p>Limits: no close command (the benchmark never closes), no idempotency keys.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public class BankAccount {

    @AggregateIdentifier
    private String accountId;
    private String currency;
    private BigDecimal balance;
    private long version;

    /** For Axon (event sourcing) and Jackson (snapshots). */
    protected BankAccount() {
    }

    @CommandHandler
    public BankAccount(OpenAccount command) {
        Currency currency = currency(command.currency());
        BigDecimal initial = command.initialDeposit() == null ? BigDecimal.ZERO : command.initialDeposit();
        if (initial.signum() < 0) {
            throw new AccountRejected("invalid-amount", "initialDeposit must not be negative");
        }
        checkScale(initial, currency);
        apply(new AccountOpened(command.accountId(), command.owner(), currency.getCurrencyCode(),
                initial.setScale(currency.getDefaultFractionDigits())));
    }

    @CommandHandler
    public long handle(DepositMoney command) {
        BigDecimal amount = positive(command.amount());
        apply(new MoneyDeposited(accountId, amount, balance.add(amount)));
        // the event-sourcing handler has already run: version is the deposit's
        return version;
    }

    @CommandHandler
    public long handle(WithdrawMoney command) {
        BigDecimal amount = positive(command.amount());
        if (balance.compareTo(amount) < 0) {
            throw new AccountRejected("insufficient-funds", "balance " + balance.toPlainString() + " " + currency
                    + " does not cover " + amount.toPlainString());
        }
        apply(new MoneyWithdrawn(accountId, amount, balance.subtract(amount)));
        return version;
    }

    @EventSourcingHandler
    void on(AccountOpened event, @SequenceNumber long sequence) {
        accountId = event.accountId();
        currency = event.currency();
        balance = event.initialDeposit();
        version = sequence + 1;
    }

    @EventSourcingHandler
    void on(MoneyDeposited event, @SequenceNumber long sequence) {
        balance = event.balanceAfter();
        version = sequence + 1;
    }

    @EventSourcingHandler
    void on(MoneyWithdrawn event, @SequenceNumber long sequence) {
        balance = event.balanceAfter();
        version = sequence + 1;
    }

    private BigDecimal positive(BigDecimal amount) {
        if (amount == null || amount.signum() <= 0) {
            throw new AccountRejected("invalid-amount", "amount must be positive");
        }
        checkScale(amount, Currency.getInstance(currency));
        return amount;
    }

    private static void checkScale(BigDecimal amount, Currency currency) {
        if (amount.stripTrailingZeros().scale() > currency.getDefaultFractionDigits()) {
            throw new AccountRejected("invalid-amount", amount.toPlainString() + " has more decimals than "
                    + currency.getCurrencyCode() + " allows (" + currency.getDefaultFractionDigits() + ")");
        }
    }

    private static Currency currency(String code) {
        try {
            return Currency.getInstance(code);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new AccountRejected("invalid-currency", "unknown ISO 4217 currency '" + code + "'");
        }
    }
}
