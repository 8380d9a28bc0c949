package dev.eventbank.command.writer;

import dev.eventbank.schemas.commands.AccountAggregate;
import dev.eventbank.schemas.commands.BankAccountCommand;
import dev.eventbank.schemas.common.AccountStatus;
import dev.eventbank.schemas.events.BankAccountEvent;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static dev.eventbank.command.writer.AvroFixtures.closed;
import static dev.eventbank.command.writer.AvroFixtures.command;
import static dev.eventbank.command.writer.AvroFixtures.deposit;
import static dev.eventbank.command.writer.AvroFixtures.deposited;
import static dev.eventbank.command.writer.AvroFixtures.event;
import static dev.eventbank.command.writer.AvroFixtures.open;
import static dev.eventbank.command.writer.AvroFixtures.opened;
import static dev.eventbank.command.writer.AvroFixtures.withdraw;
import static dev.eventbank.command.writer.AvroFixtures.withdrawn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link EventFold}: an event of the log folded into the write model, one test per event type; an event already
 * folded in, or after a gap, leaves the aggregate as it is.
 */
class EventFoldTest {

    private final String account = UUID.randomUUID().toString();

    @Test
    void shouldCreateAnOpenAggregateAtVersionOneWhenAccountOpenedIsFolded() {
        // when
        AccountAggregate aggregate = EventFold.apply(null, event(account, 1, opened("EUR", "10.50")));

        // then
        assertEquals(account, aggregate.getAccountId());
        assertEquals("NL01EVBK0001", aggregate.getAccountNumber());
        assertEquals("Ada Lovelace", aggregate.getOwner());
        assertEquals("EUR", aggregate.getCurrency());
        assertEquals(0, new BigDecimal("10.50").compareTo(aggregate.getBalance()));
        assertEquals(AccountStatus.OPEN, aggregate.getStatus());
        assertEquals(1, aggregate.getVersion());
        assertEquals(List.of(), aggregate.getRecentCommands());
        assertEquals(null, aggregate.getOwnerId(), "an AccountOpened before v3 has no customer owner");
    }

    @Test
    void shouldKeepTheCustomerOwnerWhenLaterEventsAreFolded() {
        // given
        var opened = opened("EUR", "10.50");
        opened.setOwnerId("customer-ada");

        // when
        AccountAggregate aggregate = EventFold.apply(EventFold.apply(null, event(account, 1, opened)),
                event(account, 2, deposited("1", "11.50")));

        // then
        assertEquals("customer-ada", aggregate.getOwnerId());
    }

    @Test
    void shouldTakeTheBalanceAfterWhenMoneyDepositedIsFolded() {
        // given
        AccountAggregate aggregate = fold(opened("EUR", "10"));

        // when
        AccountAggregate after = EventFold.apply(aggregate, event(account, 2, deposited("5.25", "15.25")));

        // then
        assertEquals(2, after.getVersion());
        assertEquals(0, new BigDecimal("15.25").compareTo(after.getBalance()));
        assertEquals(AccountStatus.OPEN, after.getStatus());
        assertEquals(aggregate.getOwner(), after.getOwner());
    }

    @Test
    void shouldTakeTheBalanceAfterWhenMoneyWithdrawnIsFolded() {
        // given
        AccountAggregate aggregate = fold(opened("EUR", "10"), deposited("5", "15"));

        // when
        AccountAggregate after = EventFold.apply(aggregate, event(account, 3, withdrawn("15", "0")));

        // then
        assertEquals(3, after.getVersion());
        assertEquals(0, BigDecimal.ZERO.compareTo(after.getBalance()));
        assertEquals(AccountStatus.OPEN, after.getStatus());
    }

    @Test
    void shouldCloseWithAZeroBalanceWhenAccountClosedIsFolded() {
        // given
        AccountAggregate aggregate = fold(opened("EUR", "0"));

        // when
        AccountAggregate after = EventFold.apply(aggregate, event(account, 2, closed()));

        // then
        assertEquals(2, after.getVersion());
        assertEquals(AccountStatus.CLOSED, after.getStatus());
        assertEquals(0, BigDecimal.ZERO.compareTo(after.getBalance()));
    }

    @Test
    void shouldSkipAnEventWhenItsVersionIsAlreadyFoldedIn() {
        // given
        AccountAggregate aggregate = fold(opened("EUR", "10"), deposited("5", "15"));

        // when: version 2 again (a restore reads the last transaction's own events after its aggregates)
        AccountAggregate again = EventFold.apply(aggregate, event(account, 2, deposited("5", "15")));
        AccountAggregate openedAgain = EventFold.apply(aggregate, event(account, 1, opened("EUR", "10")));

        // then
        assertSame(aggregate, again);
        assertSame(aggregate, openedAgain);
    }

    @Test
    void shouldLeaveTheAggregateAsItIsWhenAnEventComesAfterAGap() {
        // given
        AccountAggregate aggregate = fold(opened("EUR", "10"));

        // when: version 3 with version 2 missing
        AccountAggregate after = EventFold.apply(aggregate, event(account, 3, deposited("5", "15")));
        AccountAggregate fromNothing = EventFold.apply(null, event(account, 2, deposited("5", "15")));

        // then: the caller sees nothing changed and reports the gap
        assertSame(aggregate, after);
        assertEquals(null, fromNothing);
    }

    @Test
    void shouldFailWhenTheFirstVersionIsNotAnAccountOpened() {
        // when
        IllegalStateException failure = assertThrows(IllegalStateException.class,
                () -> EventFold.apply(null, event(account, 1, deposited("5", "5"))));

        // then
        assertTrue(failure.getMessage().contains(account), failure.getMessage());
    }

    @Test
    void shouldGiveTheAggregateTheHandlerStoredWhenTheHandlersEventsAreFolded() {
        // given: the events the command handler appends, and the aggregates it stores
        Instant now = Instant.parse("2026-01-01T10:00:00Z");
        List<BankAccountCommand> commands = List.of(command(account, open("EUR", "10")), command(account, deposit("5.25")),
                command(account, withdraw("15.25")), command(account, AvroFixtures.close()));
        AccountAggregate stored = null;
        AccountAggregate folded = null;
        for (BankAccountCommand command : commands) {
            CommandHandler.Handled handled = CommandHandler.handle(CommandHandlerSpec.TELLER, command, stored, null, now, CommandHandlerSpec.WINDOW);
            stored = handled.aggregate();

            // when
            for (BankAccountEvent event : handled.events()) {
                folded = EventFold.apply(folded, event);
            }

            // then: a restore that folds the log agrees with the writer that wrote it
            assertEquals(stored, folded, "after " + command.getPayload());
        }
    }

    private AccountAggregate fold(Object... payloads) {
        AccountAggregate aggregate = null;
        for (int i = 0; i < payloads.length; i++) {
            aggregate = EventFold.apply(aggregate, event(account, i + 1, payloads[i]));
        }
        return aggregate;
    }
}
