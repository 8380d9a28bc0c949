package dev.eventbank.command.writer;

import dev.eventbank.command.domain.AccountCommand;
import dev.eventbank.command.domain.AccountState;
import dev.eventbank.command.domain.AccountType;
import dev.eventbank.command.domain.BankAccount;
import dev.eventbank.command.domain.Money;
import dev.eventbank.schemas.AvroDecimals;
import dev.eventbank.schemas.commands.AccountAggregate;
import dev.eventbank.schemas.commands.BankAccountCommand;
import dev.eventbank.schemas.commands.CloseAccount;
import dev.eventbank.schemas.commands.DepositMoney;
import dev.eventbank.schemas.commands.OpenAccount;
import dev.eventbank.schemas.commands.WithdrawMoney;
import dev.eventbank.schemas.common.AccountStatus;

import java.time.Instant;
import java.util.Currency;

/**
 * Avro -> domain, in one place: the command envelope's payload becomes a typed {@link AccountCommand}, the
 * stored {@link AccountAggregate} becomes the decider's {@link AccountState}.
 *
 * <p>Command amounts are passed on as they arrived (wire scale 4), so that the decider, which knows the
 * account's currency, answers INVALID_AMOUNT for {@code 10.5000 JPY} rather than this mapper failing.
 */
final class FromAvro {

    private FromAvro() {
    }

    /** The domain command, at the time it was issued; see {@link #command(BankAccountCommand, Instant)}. */
    static AccountCommand command(BankAccountCommand envelope) {
        return command(envelope, envelope.getIssuedAt());
    }

    /**
     * The domain command, taking effect {@code at} (the time its events will carry);
     * {@link InvalidCommandException} when the payload is not one we understand.
     */
    static AccountCommand command(BankAccountCommand envelope, Instant at) {
        Object payload = envelope.getPayload();
        if (payload instanceof OpenAccount open) {
            // a command written before account types existed (or without one) opens a checking account
            AccountType type = open.getAccountType() == null ? AccountType.CHECKING
                    : AccountType.valueOf(open.getAccountType().name());
            return new AccountCommand.OpenAccount(open.getAccountNumber(), open.getOwner(), currency(open.getCurrency()),
                    open.getInitialDeposit(), open.getEmail(), type, open.getOwnerId(), at);
        }
        if (payload instanceof DepositMoney deposit) {
            return new AccountCommand.DepositMoney(deposit.getAmount(), deposit.getReference(), at);
        }
        if (payload instanceof WithdrawMoney withdraw) {
            return new AccountCommand.WithdrawMoney(withdraw.getAmount(), at);
        }
        if (payload instanceof CloseAccount close) {
            return new AccountCommand.CloseAccount(close.getReason(), at);
        }
        throw new InvalidCommandException("unknown command payload "
                + (payload == null ? "null" : payload.getClass().getName()));
    }

    /** The decider's state; a missing aggregate is an account that was never opened. */
    static AccountState state(AccountAggregate aggregate) {
        if (aggregate == null) {
            return BankAccount.initialState();
        }
        Currency currency = Currency.getInstance(aggregate.getCurrency());
        if (aggregate.getStatus() == AccountStatus.CLOSED) {
            return new AccountState.Closed(aggregate.getAccountNumber(), aggregate.getOwner(), aggregate.getOwnerId(),
                    currency, aggregate.getVersion());
        }
        Money balance = new Money(AvroDecimals.fromWire(aggregate.getBalance(), aggregate.getCurrency()), currency);
        return new AccountState.Open(aggregate.getAccountNumber(), aggregate.getOwner(), aggregate.getOwnerId(), balance,
                aggregate.getVersion());
    }

    private static Currency currency(String code) {
        try {
            return Currency.getInstance(code);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidCommandException("currency '" + code + "' is not an ISO 4217 code this service knows "
                    + "(the Java runtime's currency data)");
        }
    }

    /** A command that passed the REST layer's checks cannot be this; one produced by someone else can. */
    static final class InvalidCommandException extends RuntimeException {
        InvalidCommandException(String message) {
            super(message);
        }
    }
}
