package dev.eventbank.command.writer;

import dev.eventbank.schemas.commands.AccountAggregate;
import dev.eventbank.schemas.commands.BankAccountCommand;
import dev.eventbank.schemas.commands.CommandOutcome;
import dev.eventbank.schemas.commands.CommandResult;
import dev.eventbank.schemas.common.AccountStatus;
import dev.eventbank.schemas.events.AccountOpened;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.events.MoneyDeposited;
import dev.eventbank.schemas.events.MoneyWithdrawn;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static dev.eventbank.command.writer.AvroFixtures.close;
import static dev.eventbank.command.writer.AvroFixtures.command;
import static dev.eventbank.command.writer.AvroFixtures.deposit;
import static dev.eventbank.command.writer.AvroFixtures.deposited;
import static dev.eventbank.command.writer.AvroFixtures.ifMatch;
import static dev.eventbank.command.writer.AvroFixtures.keyed;
import static dev.eventbank.command.writer.AvroFixtures.open;
import static dev.eventbank.command.writer.AvroFixtures.opened;
import static dev.eventbank.command.writer.AvroFixtures.withdraw;
import static dev.eventbank.command.writer.CommandHandlerSpec.WINDOW;
import static dev.eventbank.command.writer.CommandHandlerSpec.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CommandHandler}: what one command decides against its account's aggregate and the outcome recorded for
 * its id, and what it writes (events, aggregate, recorded outcome). Covers what the Kafka Streams processor's
 * topology test covered, and idempotency by time (the window), not by count.
 */
class CommandHandlerTest {

    @Test
    void shouldAppendAccountOpenedAtVersionOneWhenAnAccountIsOpened() {
        // given
        CommandHandlerSpec spec = given();
        BankAccountCommand open = command(spec.account, open("EUR", "100.00"));

        // when
        CommandHandlerSpec.Then then = spec.when(open);

        // then
        then.thenAccepts(1).appends("AccountOpened").recordsNothing();
        BankAccountEvent opened = then.appended.get(0);
        assertEquals("BankAccount", opened.getAggregateType());
        // the time of the decision at the partition's writer, not the issuing instance's
        assertEquals(spec.now(), opened.getOccurredAt());
        UUID.fromString(opened.getEventId());
        assertEquals(0, new BigDecimal("100").compareTo(((AccountOpened) opened.getPayload()).getInitialDeposit()));
        AccountAggregate aggregate = spec.aggregates.get(spec.account);
        assertEquals(AccountStatus.OPEN, aggregate.getStatus());
        assertEquals(0, new BigDecimal("100").compareTo(aggregate.getBalance()));
    }

    @Test
    void shouldNumberVersionsOneToNWhenCommandsFollowEachOther() {
        // given
        CommandHandlerSpec spec = given();

        // when
        List<CommandResult> results = List.of(
                spec.when(command(spec.account, open("EUR", "10"))).thenAccepts(1).result(),
                spec.when(command(spec.account, deposit("5.25"))).thenAccepts(2).result(),
                spec.when(command(spec.account, withdraw("15.25"))).thenAccepts(3).result(),
                spec.when(command(spec.account, close())).thenAccepts(4).result());

        // then
        assertEquals(List.of(1L, 2L, 3L, 4L), results.stream().map(CommandResult::getVersion).toList());
        assertEquals(List.of(1L, 2L, 3L, 4L), spec.log.stream().map(BankAccountEvent::getVersion).toList());
        assertEquals(List.of("AccountOpened", "MoneyDeposited", "MoneyWithdrawn", "AccountClosed"),
                spec.log.stream().map(BankAccountEvent::getEventType).toList());
        assertEquals(0, new BigDecimal("15.25").compareTo(((MoneyDeposited) spec.log.get(1).getPayload()).getBalanceAfter()));
        assertEquals(0, BigDecimal.ZERO.compareTo(((MoneyWithdrawn) spec.log.get(2).getPayload()).getBalanceAfter()));
        assertEquals(AccountStatus.CLOSED, spec.aggregates.get(spec.account).getStatus());
        assertEquals(4, spec.aggregates.get(spec.account).getVersion());
    }

    @Test
    void shouldContinueTheVersionsOfTheLogWhenTheAccountHasHistory() {
        // given
        CommandHandlerSpec spec = given(opened("EUR", "10"), deposited("5", "15"), deposited("5", "20"));

        // when
        CommandHandlerSpec.Then then = spec.when(command(spec.account, withdraw("20")));

        // then
        then.thenAccepts(4).appends("MoneyWithdrawn");
        assertEquals(0, BigDecimal.ZERO.compareTo(((MoneyWithdrawn) then.appended.get(0).getPayload()).getBalanceAfter()));
    }

    @Test
    void shouldRejectAndAppendNothingWhenFundsAreInsufficient() {
        // given
        CommandHandlerSpec spec = given(opened("EUR", "10"));

        // when
        CommandHandlerSpec.Then then = spec.when(command(spec.account, withdraw("10.01")));

        // then
        then.thenRejects("INSUFFICIENT_FUNDS").appendsNothing().recordsNothing();
        assertEquals(1, then.result().getVersion());
        assertEquals(0, then.result().getEventCount());
        assertTrue(then.result().getDetail().contains("10.00 EUR"), then.result().getDetail());
        assertEquals(1, spec.aggregates.get(spec.account).getVersion());
    }

    @Test
    void shouldRejectAnAmountWhenItHasMoreDecimalsThanTheCurrency() {
        // given
        CommandHandlerSpec spec = given();

        // when
        CommandHandlerSpec.Then then = spec.when(command(spec.account, open("JPY", "10.5")));

        // then
        then.thenRejects("INVALID_AMOUNT").appendsNothing();
        assertEquals(0, then.result().getVersion());
        assertTrue(spec.aggregates.isEmpty());
    }

    @Test
    void shouldRejectAsInvalidCommandWhenTheCurrencyIsNotIso4217() {
        // given: a command produced by someone other than our REST layer
        CommandHandlerSpec spec = given();

        // when
        CommandHandlerSpec.Then then = spec.when(command(spec.account, open("ZZZ", "1")));

        // then
        then.thenRejects(CommandHandler.INVALID_COMMAND).appendsNothing().recordsNothing();
        assertTrue(spec.aggregates.isEmpty());
    }

    @Test
    void shouldAnswerNotFoundWhenTheAccountDoesNotExist() {
        // given
        CommandHandlerSpec spec = given();

        // when
        CommandHandlerSpec.Then then = spec.when(keyed(spec.account, "k-unknown", deposit("1")));

        // then
        then.thenAnswers(CommandOutcome.NOT_FOUND, 0).appendsNothing().recordsNothing();
        assertEquals("ACCOUNT_NOT_FOUND", then.result().getRejectionCode());
        assertTrue(then.handled.writesNothing());
        assertTrue(spec.aggregates.isEmpty());
    }

    @Test
    void shouldAnswerConflictWithTheCurrentVersionWhenTheExpectedVersionDiffers() {
        // given
        CommandHandlerSpec spec = given(opened("EUR", "10"), deposited("1", "11"));

        // when
        CommandHandlerSpec.Then then = spec.when(ifMatch(spec.account, 1, withdraw("1")));

        // then
        then.thenAnswers(CommandOutcome.CONFLICT, 2).appendsNothing().recordsNothing();
        assertTrue(then.result().getDetail().contains("version 2"), then.result().getDetail());
        assertEquals(2, spec.aggregates.get(spec.account).getVersion());
    }

    @Test
    void shouldAnswerConflictWhenAnOpenExpectsAVersionOfAnAccountThatDoesNotExist() {
        // given
        CommandHandlerSpec spec = given();

        // when
        CommandHandlerSpec.Then then = spec.when(ifMatch(spec.account, 3, open("EUR", "1")));

        // then
        then.thenAnswers(CommandOutcome.CONFLICT, 0).appendsNothing().recordsNothing();
        assertTrue(spec.aggregates.isEmpty());
    }

    @Test
    void shouldAcceptWhenTheExpectedVersionMatches() {
        // given
        CommandHandlerSpec spec = given(opened("EUR", "10"));

        // when
        CommandHandlerSpec.Then then = spec.when(ifMatch(spec.account, 1, withdraw("1")));

        // then
        then.thenAccepts(2).appends("MoneyWithdrawn");
    }

    @Test
    void shouldRejectAnOpenWhenTheAccountIsAlreadyOpen() {
        // given
        CommandHandlerSpec spec = given(opened("EUR", "1"));

        // when
        CommandHandlerSpec.Then then = spec.when(command(spec.account, open("EUR", "1")));

        // then
        then.thenRejects("ALREADY_OPEN").appendsNothing();
        assertEquals(1, spec.log.size());
    }

    @Test
    void shouldRejectACommandWhenTheAccountIsClosed() {
        // given
        CommandHandlerSpec spec = given(opened("EUR", "0"), AvroFixtures.closed());

        // when
        CommandHandlerSpec.Then then = spec.when(command(spec.account, deposit("1")));

        // then
        then.thenRejects("ACCOUNT_CLOSED").appendsNothing();
        assertEquals(2, then.result().getVersion());
    }

    // --- idempotency

    @Test
    void shouldRecordTheOutcomeWhenACommandComesWithAnIdempotencyKey() {
        // given
        CommandHandlerSpec spec = given(opened("EUR", "10"));

        // when
        CommandHandlerSpec.Then then = spec.when(keyed(spec.account, "k1", deposit("5")));

        // then
        then.thenAccepts(2).appends("MoneyDeposited").records();
    }

    @Test
    void shouldRecordNothingWhenAKeyedAmountHasMoreDecimalsThanTheCurrency() {
        // given
        CommandHandlerSpec spec = given(opened("EUR", "10"));

        // when: a 400, decided here because only the account knows its currency
        CommandHandlerSpec.Then then = spec.when(keyed(spec.account, "k1", deposit("5.001")));

        // then nothing of it goes to Kafka, and the corrected request may use the same key
        then.thenRejects("INVALID_AMOUNT").appendsNothing().recordsNothing();
        assertTrue(then.handled.writesNothing());
        spec.when(keyed(spec.account, "k1", deposit("5.00"))).thenAccepts(2).appends("MoneyDeposited").records();
    }

    @Test
    void shouldAnswerTheRecordedOutcomeAndAppendNothingWhenAKeyIsRetried() {
        // given: the account moved on to version 3 after the keyed deposit
        CommandHandlerSpec spec = given(opened("EUR", "10"));
        BankAccountCommand deposit = keyed(spec.account, "k1", deposit("5"));
        CommandResult first = spec.when(deposit).thenAccepts(2).result();
        spec.andHandled(command(spec.account, deposit("1")));

        // when
        CommandHandlerSpec.Then retry = spec.when(deposit);

        // then
        retry.thenReplays(first).appendsNothing().recordsNothing();
        assertEquals(3, spec.aggregates.get(spec.account).getVersion());
        assertEquals(0, new BigDecimal("16").compareTo(spec.aggregates.get(spec.account).getBalance()));
    }

    @Test
    void shouldAnswerKeyReusedWhenAKeyComesWithAnotherRequest() {
        // given
        CommandHandlerSpec spec = given(opened("EUR", "10"));
        spec.andHandled(keyed(spec.account, "k1", deposit("5")));

        // when: the same key (so the same command id) for a different amount
        CommandHandlerSpec.Then then = spec.when(keyed(spec.account, "k1", deposit("6")));

        // then
        then.thenAnswers(CommandOutcome.KEY_REUSED, 2).appendsNothing().recordsNothing();
        assertEquals(2, spec.aggregates.get(spec.account).getVersion());
    }

    @Test
    void shouldReplayTheRecordedRejectionWhenARejectedKeyIsRetriedAfterFundsArrived() {
        // given
        CommandHandlerSpec spec = given(opened("EUR", "1"));
        BankAccountCommand withdraw = keyed(spec.account, "k-withdraw", withdraw("5"));
        CommandResult rejected = spec.when(withdraw).thenRejects("INSUFFICIENT_FUNDS").records().result();
        spec.andHandled(command(spec.account, deposit("10")));

        // when: funds would now suffice, but a retry answers what the command got
        CommandHandlerSpec.Then retry = spec.when(withdraw);

        // then
        retry.thenReplays(rejected).appendsNothing();
        assertEquals("INSUFFICIENT_FUNDS", retry.result().getRejectionCode());
        assertEquals(2, spec.log.size());
    }

    @Test
    void shouldReplayTheOpenWhenARetriedOpenFindsTheAccountItOpened() {
        // given
        CommandHandlerSpec spec = given();
        BankAccountCommand open = keyed(spec.account, "k-open", open("EUR", "10"));
        CommandResult first = spec.when(open).thenAccepts(1).result();

        // when
        CommandHandlerSpec.Then retry = spec.when(open);

        // then: not ALREADY_OPEN
        retry.thenReplays(first).appendsNothing();
    }

    @Test
    void shouldAnswerTheFirstOutcomeWhenAKeyIsRetriedAfterAThousandOtherCommandsWithinTheWindow() {
        // given: deposit 50 with key kw, then 1,000 deposits of 1.00 (half of them keyed), one a minute (16.7 h)
        CommandHandlerSpec spec = given(opened("EUR", "100"));
        BankAccountCommand kw = keyed(spec.account, "kw", deposit("50"));
        CommandResult first = spec.when(kw).thenAccepts(2).result();
        for (int i = 0; i < 1_000; i++) {
            spec.later(Duration.ofMinutes(1));
            spec.andHandled(i % 2 == 0 ? command(spec.account, deposit("1")) : keyed(spec.account, "k" + i, deposit("1")));
        }
        assertEquals(1_002, spec.aggregates.get(spec.account).getVersion());

        // when
        CommandHandlerSpec.Then retry = spec.when(kw);

        // then: the first outcome, nothing booked again: 100 + 50 + 1,000 x 1.00
        retry.thenReplays(first).appendsNothing();
        assertEquals(2, retry.result().getVersion());
        assertEquals(1_002, spec.aggregates.get(spec.account).getVersion());
        assertEquals(0, new BigDecimal("1150").compareTo(spec.aggregates.get(spec.account).getBalance()));
        assertEquals(1_002, spec.log.size());
    }

    @Test
    void shouldAnswerTheFirstOutcomeWhenAKeyIsRetriedExactlyAtTheEndOfTheWindow() {
        // given
        CommandHandlerSpec spec = given(opened("EUR", "10"));
        BankAccountCommand deposit = keyed(spec.account, "k1", deposit("5"));
        CommandResult first = spec.when(deposit).thenAccepts(2).result();

        // when
        CommandHandlerSpec.Then retry = spec.later(WINDOW).when(deposit);

        // then
        retry.thenReplays(first).appendsNothing();
    }

    @Test
    void shouldDecideAgainWhenTheRecordedOutcomeIsOlderThanTheWindow() {
        // given
        CommandHandlerSpec spec = given(opened("EUR", "10"));
        BankAccountCommand deposit = keyed(spec.account, "k1", deposit("5"));
        CommandResult first = spec.when(deposit).thenAccepts(2).result();

        // when
        CommandHandlerSpec.Then retry = spec.later(WINDOW.plusMillis(1)).when(deposit);

        // then: booked again, as a new command, and recorded anew
        retry.thenAccepts(3).appends("MoneyDeposited").records();
        assertNotEquals(first, retry.result());
        assertEquals(0, new BigDecimal("20").compareTo(spec.aggregates.get(spec.account).getBalance()));
    }

    @Test
    void shouldDecideTheNewRequestWhenAKeyIsReusedAfterTheWindow() {
        // given
        CommandHandlerSpec spec = given(opened("EUR", "10"));
        spec.andHandled(keyed(spec.account, "k1", deposit("5")));

        // when: another request under the same key, after the window: no longer KEY_REUSED
        CommandHandlerSpec.Then then = spec.later(WINDOW.plusSeconds(1)).when(keyed(spec.account, "k1", withdraw("3")));

        // then
        then.thenAccepts(3).appends("MoneyWithdrawn").records();
    }

    @Test
    void shouldRecordNothingWhenACommandHasNoIdempotencyKey() {
        // given
        CommandHandlerSpec spec = given(opened("EUR", "10"));

        // when
        CommandHandlerSpec.Then accepted = spec.when(command(spec.account, deposit("5")));
        CommandHandlerSpec.Then rejected = spec.when(command(spec.account, withdraw("500")));

        // then
        accepted.thenAccepts(2).recordsNothing();
        rejected.thenRejects("INSUFFICIENT_FUNDS").recordsNothing();
        assertTrue(rejected.handled.writesNothing(), "a rejection without key writes nothing: answered at once");
        assertTrue(spec.outcomes.isEmpty());
    }

    @Test
    void shouldRecordNothingWhenAKeyedCommandConflictsSoThatARetryWithAFreshIfMatchGoesAhead() {
        // given
        CommandHandlerSpec spec = given(opened("EUR", "10"), deposited("1", "11"));
        BankAccountCommand stale = AvroFixtures.command(spec.account, withdraw("1"), "k-stale", 1L);

        // when
        CommandHandlerSpec.Then conflict = spec.when(stale);
        CommandHandlerSpec.Then fresh = spec.when(BankAccountCommand.newBuilder(stale).setExpectedVersion(2L).build());

        // then
        conflict.thenAnswers(CommandOutcome.CONFLICT, 2).recordsNothing();
        assertTrue(conflict.handled.writesNothing());
        fresh.thenAccepts(3).appends("MoneyWithdrawn").records();
    }
}
