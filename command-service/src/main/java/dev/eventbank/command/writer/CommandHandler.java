package dev.eventbank.command.writer;

import dev.eventbank.command.access.AccountAccess;
import dev.eventbank.command.access.Caller;
import dev.eventbank.command.domain.AccountCommand;
import dev.eventbank.command.domain.AccountEvent;
import dev.eventbank.command.domain.AccountState;
import dev.eventbank.command.domain.BankAccount;
import dev.eventbank.command.domain.Decision;
import dev.eventbank.command.domain.RejectionCode;
import dev.eventbank.schemas.commands.AccountAggregate;
import dev.eventbank.schemas.commands.BankAccountCommand;
import dev.eventbank.schemas.commands.CommandOutcome;
import dev.eventbank.schemas.commands.CommandResult;
import dev.eventbank.schemas.commands.RecentCommand;
import dev.eventbank.schemas.events.BankAccountEvent;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The command handler of the write side: one command against one account's aggregate, in this order:
 * <ol>
 *   <li>a caller the account's rules do not allow ({@link AccountAccess}: a customer and an account it does not
 *   own, or an open it may not send): NOT_FOUND, word for word as for an account that does not exist, before
 *   anything else (so neither a recorded outcome nor a version conflict tells it the account exists), recorded
 *   nowhere ({@link Handled#refused()});</li>
 *   <li>a command id with an outcome recorded within the idempotency window: the same request (same fingerprint, same
 *   account) gets that outcome again and appends nothing ({@link Handled#replayed()}), a different one KEY_REUSED;</li>
 *   <li>a payload the domain cannot read: REJECTED {@value #INVALID_COMMAND};</li>
 *   <li>no aggregate and not an open: NOT_FOUND;</li>
 *   <li>an expected version ({@code If-Match}) that differs from the aggregate's: CONFLICT;</li>
 *   <li>otherwise {@link BankAccount#decide}: the events, numbered from the aggregate's version + 1, and the new
 *   aggregate; or REJECTED with the decider's code.</li>
 * </ol>
 * Pure: no Kafka, no clock (the time comes in), so it is tested on its own.
 *
 * <p>Which outcomes are recorded for idempotency: ACCEPTED and REJECTED outcomes of commands that came with an
 * {@code Idempotency-Key} (their command id is derived from it, so a retry has the same id). Not recorded: commands
 * without a key (their id is random, nobody can retry them), CONFLICT (nothing was decided: a retry with a fresh
 * {@code If-Match} may go ahead), NOT_FOUND and KEY_REUSED (nothing changed), and the rejections answered 400
 * (INVALID_AMOUNT, {@value #INVALID_COMMAND}): invalid input, which a retry finds as invalid, and which the client
 * may correct and send again under the same key (so a 400 writes nothing to Kafka).
 * Besides these, the outcomes topic may hold a refusal this handler never decided: {@link AccountNumbers#checkHolder}
 * records it ({@value AccountNumbers#TAKEN}) for an open whose account number went to another account, and for a
 * teller's keyed open whose number another account held when it asked (the open never reaches this handler then:
 * its number's partition refused it first; AccountOpening records the refusal so that a retry answers it), and
 * step 1 answers it to that open like any recorded outcome.
 */
final class CommandHandler {

    static final String INVALID_COMMAND = "INVALID_COMMAND";

    private CommandHandler() {
    }

    /**
     * What handling one command decided.
     *
     * @param result    the outcome to answer with
     * @param events    the events to append, versions already set (empty unless ACCEPTED)
     * @param aggregate the account's new aggregate, or null when it does not change
     * @param outcome   the outcome to record for idempotency, or null when none is recorded
     * @param replayed  true when the result is an earlier outcome answered again (nothing appended)
     * @param refused   true when the caller may not send this command to this account (answered as NOT_FOUND)
     */
    record Handled(CommandResult result, List<BankAccountEvent> events, AccountAggregate aggregate,
                   RecentCommand outcome, boolean replayed, boolean refused) {

        Handled(CommandResult result, List<BankAccountEvent> events, AccountAggregate aggregate,
                RecentCommand outcome, boolean replayed) {
            this(result, events, aggregate, outcome, replayed, false);
        }

        /** True when this command writes nothing: nothing of it needs a transaction. */
        boolean writesNothing() {
            return events.isEmpty() && aggregate == null && outcome == null;
        }
    }

    /**
     * Handles {@code command}.
     *
     * @param caller    who sent it (its token checked by this instance)
     * @param command   the command (its account id is the aggregate's)
     * @param aggregate the account's current aggregate, null when the account was never opened
     * @param seen      the outcome recorded for this command id, or null
     * @param now       the time of the decision: the events' {@code occurredAt} and the outcome's {@code completedAt}
     * @param window    how long a recorded outcome answers a retry (the idempotency window)
     */
    static Handled handle(Caller caller, BankAccountCommand command, AccountAggregate aggregate, RecentCommand seen,
                          Instant now, Duration window) {
        if (!allowed(caller, command, aggregate)) {
            return new Handled(notFound(command, now), List.of(), null, null, false, true);
        }
        long currentVersion = aggregate == null ? 0 : aggregate.getVersion();
        if (seen != null && !expired(seen, now, window)) {
            // an outcome recorded for another account under this command id is never answered (it is another
            // account's, possibly another customer's: its version, its rejection detail); no command of the public
            // API shares an id with another account's, so only a hand-made POST /internal/commands gets here
            if (seen.getFingerprint().equals(command.getFingerprint())
                    && seen.getCommandResult().getAccountId().equals(command.getAccountId())) {
                return new Handled(seen.getCommandResult(), List.of(), null, null, true);
            }
            return answer(result(command, CommandOutcome.KEY_REUSED, currentVersion, 0, null,
                    "command id " + command.getCommandId() + " was used for a different request", now));
        }
        AccountCommand domainCommand;
        try {
            // events carry the time the partition's single writer decided them, so occurredAt never decreases
            // along an account's versions (the issuing instance's clock, or two requests racing through two
            // instances, could make it step back)
            domainCommand = FromAvro.command(command, now);
        } catch (FromAvro.InvalidCommandException e) {
            return answer(result(command, CommandOutcome.REJECTED, currentVersion, 0, INVALID_COMMAND, e.getMessage(), now));
        }
        if (aggregate == null && !(domainCommand instanceof AccountCommand.OpenAccount)) {
            return answer(notFound(command, now));
        }
        Long expected = command.getExpectedVersion();
        if (expected != null && expected != currentVersion) {
            // -1: an If-Match that is a well-formed entity tag but none we issue (weak W/"3", "03", "abc"; the REST
            // layer's CommandHeaders.NEVER_MATCHES): say that, not "expected version -1"
            String detail = expected < 0
                    ? "If-Match names no version of account " + command.getAccountId() + " (only a strong entity tag"
                            + " of a version, such as \"" + currentVersion + "\", can match; a weak one never does), which is"
                            + " at version " + currentVersion
                    : "expected version " + expected + " but account " + command.getAccountId() + " is at version "
                            + currentVersion;
            return answer(result(command, CommandOutcome.CONFLICT, currentVersion, 0, null, detail, now));
        }
        AccountState state = FromAvro.state(aggregate);
        Decision decision = BankAccount.decide(domainCommand, state);
        if (decision instanceof Decision.Rejected rejected) {
            CommandResult result = result(command, CommandOutcome.REJECTED, currentVersion, 0, rejected.code().name(),
                    rejected.detail(), now);
            if (rejected.code() == RejectionCode.INVALID_AMOUNT) {
                // a 400: the request alone (with the account's currency, which never changes) decides it, so a
                // retry gets the same answer without a record, and nothing of a 400 is written to Kafka
                return answer(result);
            }
            return new Handled(result, List.of(), null, remembered(command, result), false);
        }
        List<AccountEvent> accepted = ((Decision.Accepted) decision).events();
        List<BankAccountEvent> events = new ArrayList<>(accepted.size());
        long version = currentVersion;
        for (AccountEvent event : accepted) {
            state = BankAccount.evolve(state, event);
            version++;
            events.add(ToAvro.event(event, version, command, UUID.randomUUID()));
        }
        CommandResult result = result(command, CommandOutcome.ACCEPTED, version, events.size(), null, null, now);
        return new Handled(result, List.copyOf(events), ToAvro.aggregate(command.getAccountId(), state, List.of()),
                remembered(command, result), false);
    }

    private static boolean allowed(Caller caller, BankAccountCommand command, AccountAggregate aggregate) {
        if (command.getPayload() instanceof dev.eventbank.schemas.commands.OpenAccount open) {
            return AccountAccess.mayOpen(caller, command.getAccountId(), open.getOwnerId(), command.getIdempotencyKey(),
                    command.getCommandId());
        }
        return AccountAccess.mayUse(caller, aggregate);
    }

    /** The one answer for an account that does not exist and for one the caller may not see: the same in every field. */
    private static CommandResult notFound(BankAccountCommand command, Instant now) {
        return result(command, CommandOutcome.NOT_FOUND, 0, 0, RejectionCode.ACCOUNT_NOT_FOUND.name(),
                "account " + command.getAccountId() + " does not exist", now);
    }

    /** True when {@code seen} was recorded longer than {@code window} before {@code now}. */
    static boolean expired(RecentCommand seen, Instant now, Duration window) {
        return seen.getCommandResult().getCompletedAt().plus(window).isBefore(now);
    }

    private static Handled answer(CommandResult result) {
        return new Handled(result, List.of(), null, null, false);
    }

    private static RecentCommand remembered(BankAccountCommand command, CommandResult result) {
        return command.getIdempotencyKey() == null ? null : new RecentCommand(command.getFingerprint(), result);
    }

    private static CommandResult result(BankAccountCommand command, CommandOutcome outcome, long version, int eventCount,
                                        String rejectionCode, String detail, Instant now) {
        return CommandResult.newBuilder()
                .setCommandId(command.getCommandId())
                .setAccountId(command.getAccountId())
                .setOutcome(outcome)
                .setVersion(version)
                .setEventCount(eventCount)
                .setRejectionCode(rejectionCode)
                .setDetail(detail)
                .setCompletedAt(now)
                .build();
    }
}
