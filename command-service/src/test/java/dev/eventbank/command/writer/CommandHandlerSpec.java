package dev.eventbank.command.writer;

import dev.eventbank.schemas.commands.AccountAggregate;
import dev.eventbank.schemas.commands.BankAccountCommand;
import dev.eventbank.schemas.commands.CommandOutcome;
import dev.eventbank.schemas.commands.CommandResult;
import dev.eventbank.schemas.commands.RecentCommand;
import dev.eventbank.schemas.events.BankAccountEvent;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Given events (or commands handled earlier) / when command / then result and events, for {@link CommandHandler},
 * on one in-memory partition kept the way {@link PartitionWriter} keeps it once a transaction committed: the
 * aggregate of each account, the recorded outcome of each command id, the event log.
 * {@code given(opened("EUR", "10")).when(withdraw("10.01")).thenRejects("INSUFFICIENT_FUNDS").appendsNothing()}.
 *
 * <p>The clock stands still unless a test moves it ({@link #later(Duration)}).
 */
final class CommandHandlerSpec {

    static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
    static final Duration WINDOW = Duration.ofHours(24);
    /** A teller: may send every command on every account (the access rules are CommandHandlerAccessTest's). */
    static final dev.eventbank.command.access.Caller TELLER = new dev.eventbank.command.access.Caller("test-teller",
            java.util.Set.of("teller"), null);

    final String account = UUID.randomUUID().toString();
    final Map<String, AccountAggregate> aggregates = new HashMap<>();
    final Map<String, RecentCommand> outcomes = new HashMap<>();
    final List<BankAccountEvent> log = new ArrayList<>();
    private Instant now = T0;

    private CommandHandlerSpec() {
    }

    /** An account whose log holds events with these payloads, versions 1..n, folded into its aggregate. */
    static CommandHandlerSpec given(Object... payloads) {
        CommandHandlerSpec spec = new CommandHandlerSpec();
        for (Object payload : payloads) {
            BankAccountEvent event = AvroFixtures.event(spec.account, spec.log.size() + 1, payload);
            spec.log.add(event);
            spec.aggregates.put(spec.account, EventFold.apply(spec.aggregates.get(spec.account), event));
        }
        return spec;
    }

    /** Handles {@code commands} (and keeps what they write, as a committed transaction would), now. */
    CommandHandlerSpec andHandled(BankAccountCommand... commands) {
        for (BankAccountCommand command : commands) {
            handle(command);
        }
        return this;
    }

    /** Moves the clock on. */
    CommandHandlerSpec later(Duration duration) {
        now = now.plus(duration);
        return this;
    }

    Instant now() {
        return now;
    }

    Then when(BankAccountCommand command) {
        int before = log.size();
        int outcomesBefore = outcomes.size();
        RecentCommand recordedBefore = outcomes.get(command.getCommandId());
        CommandHandler.Handled handled = handle(command);
        return new Then(command, handled, before + 1, List.copyOf(log.subList(before, log.size())),
                outcomes.size() != outcomesBefore || outcomes.get(command.getCommandId()) != recordedBefore);
    }

    private CommandHandler.Handled handle(BankAccountCommand command) {
        CommandHandler.Handled handled = CommandHandler.handle(CommandHandlerSpec.TELLER, command, aggregates.get(command.getAccountId()),
                outcomes.get(command.getCommandId()), now, WINDOW);
        log.addAll(handled.events());
        if (handled.aggregate() != null) {
            aggregates.put(command.getAccountId(), handled.aggregate());
        }
        if (handled.outcome() != null) {
            outcomes.put(command.getCommandId(), handled.outcome());
        }
        return handled;
    }

    /** What one command got, and what it wrote. */
    final class Then {

        final BankAccountCommand command;
        final CommandHandler.Handled handled;
        final List<BankAccountEvent> appended;
        private final long firstVersion;
        private final boolean recorded;

        private Then(BankAccountCommand command, CommandHandler.Handled handled, long firstVersion,
                     List<BankAccountEvent> appended, boolean recorded) {
            this.command = command;
            this.handled = handled;
            this.firstVersion = firstVersion;
            this.appended = appended;
            this.recorded = recorded;
        }

        CommandResult result() {
            return handled.result();
        }

        /** ACCEPTED at {@code version}, decided now (not a replay). */
        Then thenAccepts(long version) {
            assertEquals(CommandOutcome.ACCEPTED, result().getOutcome(), () -> "" + result());
            assertEquals(version, result().getVersion());
            assertEquals(appended.size(), result().getEventCount());
            assertEquals(command.getCommandId(), result().getCommandId());
            assertEquals(command.getAccountId(), result().getAccountId());
            assertEquals(now, result().getCompletedAt());
            assertFalse(handled.replayed());
            assertNotNull(handled.aggregate());
            assertEquals(version, handled.aggregate().getVersion());
            return this;
        }

        /** REJECTED with {@code code}, at the account's current version, decided now. */
        Then thenRejects(String code) {
            assertEquals(CommandOutcome.REJECTED, result().getOutcome(), () -> "" + result());
            assertEquals(code, result().getRejectionCode(), result().getDetail());
            assertFalse(handled.replayed());
            assertNull(handled.aggregate(), "a rejection changes no aggregate");
            return this;
        }

        /** {@code outcome} (CONFLICT, NOT_FOUND, KEY_REUSED) reporting {@code version} as the account's. */
        Then thenAnswers(CommandOutcome outcome, long version) {
            assertEquals(outcome, result().getOutcome(), () -> "" + result());
            assertEquals(version, result().getVersion());
            assertFalse(handled.replayed());
            assertNull(handled.aggregate());
            return this;
        }

        /** The very result recorded earlier, answered again. */
        Then thenReplays(CommandResult first) {
            assertTrue(handled.replayed(), "a replay");
            assertEquals(first, result());
            assertNull(handled.aggregate());
            assertTrue(handled.writesNothing());
            return this;
        }

        /** The events appended, by type, with versions following the log's. */
        Then appends(String... eventTypes) {
            assertEquals(List.of(eventTypes), appended.stream().map(BankAccountEvent::getEventType).toList());
            for (int i = 0; i < appended.size(); i++) {
                BankAccountEvent event = appended.get(i);
                assertEquals(firstVersion + i, event.getVersion());
                assertEquals(command.getAccountId(), event.getAggregateId());
                assertEquals(command.getCommandId(), event.getCommandId());
                assertEquals(command.getCorrelationId(), event.getCorrelationId());
            }
            return this;
        }

        Then appendsNothing() {
            assertEquals(List.of(), appended);
            assertEquals(List.of(), handled.events());
            return this;
        }

        /** The outcome was recorded for the command id, to answer a retry. */
        Then records() {
            assertTrue(recorded, "an outcome recorded");
            assertEquals(new RecentCommand(command.getFingerprint(), result()), handled.outcome());
            return this;
        }

        Then recordsNothing() {
            assertNull(handled.outcome(), "nothing recorded");
            assertFalse(recorded, "nothing recorded");
            return this;
        }
    }
}
