package dev.eventbank.command.writer;

import dev.eventbank.command.domain.AccountEvent;
import dev.eventbank.command.domain.AccountState;
import dev.eventbank.schemas.AvroDecimals;
import dev.eventbank.schemas.commands.AccountAggregate;
import dev.eventbank.schemas.commands.BankAccountCommand;
import dev.eventbank.schemas.commands.RecentCommand;
import dev.eventbank.schemas.common.AccountStatus;
import dev.eventbank.schemas.common.AccountType;
import dev.eventbank.schemas.events.AccountClosed;
import dev.eventbank.schemas.events.AccountOpened;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.events.MoneyDeposited;
import dev.eventbank.schemas.events.MoneyWithdrawn;

import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;

/**
 * Domain -> Avro, in one place: a decided {@link AccountEvent} becomes a {@link BankAccountEvent} envelope,
 * an {@link AccountState} becomes the {@link AccountAggregate} kept in the store. Events are written in the current
 * version of their schema (AccountOpened version 3, MoneyDeposited version 2); the account type is always set.
 */
final class ToAvro {

    static final String AGGREGATE_TYPE = "BankAccount";

    private ToAvro() {
    }

    /** The envelope of {@code event}, caused by {@code command}, at {@code version} of the account. */
    static BankAccountEvent event(AccountEvent event, long version, BankAccountCommand command, UUID eventId) {
        Object payload = payload(event);
        return BankAccountEvent.newBuilder()
                .setEventId(eventId.toString())
                .setAggregateId(command.getAccountId())
                .setAggregateType(AGGREGATE_TYPE)
                .setVersion(version)
                .setEventType(payload.getClass().getSimpleName())
                .setOccurredAt(event.occurredAt())
                .setCommandId(command.getCommandId())
                .setCorrelationId(command.getCorrelationId())
                .setPayload(payload)
                .build();
    }

    /** The stored write model of a non-initial {@code state}. */
    static AccountAggregate aggregate(String accountId, AccountState state, List<RecentCommand> recentCommands) {
        AccountAggregate.Builder aggregate = AccountAggregate.newBuilder()
                .setAccountId(accountId)
                .setVersion(state.version())
                .setRecentCommands(recentCommands);
        if (state instanceof AccountState.Open open) {
            return aggregate.setAccountNumber(open.accountNumber()).setOwner(open.owner()).setOwnerId(open.ownerId())
                    .setCurrency(open.currency().getCurrencyCode())
                    .setBalance(AvroDecimals.toWire(open.balance().amount()))
                    .setStatus(AccountStatus.OPEN)
                    .build();
        }
        if (state instanceof AccountState.Closed closed) {
            return aggregate.setAccountNumber(closed.accountNumber()).setOwner(closed.owner()).setOwnerId(closed.ownerId())
                    .setCurrency(closed.currency().getCurrencyCode())
                    .setBalance(AvroDecimals.toWire(BigDecimal.ZERO))
                    .setStatus(AccountStatus.CLOSED)
                    .build();
        }
        throw new IllegalArgumentException("no aggregate to store for state " + state);
    }

    private static Object payload(AccountEvent event) {
        if (event instanceof AccountEvent.AccountOpened opened) {
            return AccountOpened.newBuilder()
                    .setAccountNumber(opened.accountNumber())
                    .setOwner(opened.owner())
                    .setCurrency(opened.currency().getCurrencyCode())
                    .setInitialDeposit(AvroDecimals.toWire(opened.initialDeposit().amount()))
                    .setEmail(opened.email())
                    .setAccountType(AccountType.valueOf(opened.accountType().name()))
                    .setOwnerId(opened.ownerId())
                    .build();
        }
        if (event instanceof AccountEvent.MoneyDeposited deposited) {
            return MoneyDeposited.newBuilder()
                    .setAmount(AvroDecimals.toWire(deposited.amount().amount()))
                    .setCurrency(deposited.amount().currency().getCurrencyCode())
                    .setBalanceAfter(AvroDecimals.toWire(deposited.balanceAfter().amount()))
                    .setReference(deposited.reference())
                    .build();
        }
        if (event instanceof AccountEvent.MoneyWithdrawn withdrawn) {
            return MoneyWithdrawn.newBuilder()
                    .setAmount(AvroDecimals.toWire(withdrawn.amount().amount()))
                    .setCurrency(withdrawn.amount().currency().getCurrencyCode())
                    .setBalanceAfter(AvroDecimals.toWire(withdrawn.balanceAfter().amount()))
                    .build();
        }
        if (event instanceof AccountEvent.AccountClosed closed) {
            return AccountClosed.newBuilder().setReason(closed.reason()).build();
        }
        throw new IllegalArgumentException("unhandled event " + event);
    }
}
