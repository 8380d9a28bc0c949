package dev.eventbank.command.writer;

import dev.eventbank.schemas.AvroDecimals;
import dev.eventbank.schemas.commands.AccountAggregate;
import dev.eventbank.schemas.common.AccountStatus;
import dev.eventbank.schemas.events.AccountClosed;
import dev.eventbank.schemas.events.AccountOpened;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.events.MoneyDeposited;
import dev.eventbank.schemas.events.MoneyWithdrawn;

import java.math.BigDecimal;
import java.util.List;

/**
 * Folds events of the log into the write model ({@link AccountAggregate}) when a partition's owner catches up
 * on events its aggregates topic does not cover yet (after a migration from a log without aggregates, or
 * events appended by a transaction whose aggregates a restore has not read). Applies an event only when its
 * version is the aggregate's version + 1, so events already folded in are skipped.
 *
 * <p>Works on the Avro records rather than the domain's evolve because the events carry the balance after
 * each movement, which is all the write model keeps.
 */
final class EventFold {

    private EventFold() {
    }

    /**
     * The aggregate after {@code event}: {@code aggregate} itself when the event is not its next version
     * (already folded in, or a gap, which the caller reports).
     *
     * @param aggregate the current aggregate, null before the account's first event
     */
    static AccountAggregate apply(AccountAggregate aggregate, BankAccountEvent event) {
        long version = aggregate == null ? 0 : aggregate.getVersion();
        if (event.getVersion() != version + 1) {
            return aggregate;
        }
        Object payload = event.getPayload();
        if (payload instanceof AccountOpened opened) {
            return AccountAggregate.newBuilder()
                    .setAccountId(event.getAggregateId())
                    .setAccountNumber(opened.getAccountNumber())
                    .setOwner(opened.getOwner())
                    .setOwnerId(opened.getOwnerId())
                    .setCurrency(opened.getCurrency())
                    .setBalance(opened.getInitialDeposit())
                    .setStatus(AccountStatus.OPEN)
                    .setVersion(event.getVersion())
                    .setRecentCommands(List.of())
                    .build();
        }
        if (aggregate == null) {
            throw new IllegalStateException("event " + event.getEventId() + " of account " + event.getAggregateId()
                    + " at version 1 is not an AccountOpened");
        }
        AccountAggregate.Builder next = AccountAggregate.newBuilder(aggregate).setVersion(event.getVersion());
        if (payload instanceof MoneyDeposited deposited) {
            next.setBalance(deposited.getBalanceAfter());
        } else if (payload instanceof MoneyWithdrawn withdrawn) {
            next.setBalance(withdrawn.getBalanceAfter());
        } else if (payload instanceof AccountClosed) {
            next.setStatus(AccountStatus.CLOSED).setBalance(AvroDecimals.toWire(BigDecimal.ZERO));
        } else {
            throw new IllegalStateException("unhandled event payload " + (payload == null ? "null" : payload.getClass().getName()));
        }
        return next.build();
    }
}
