package dev.eventbank.command.writer;

import dev.eventbank.schemas.commands.AccountAggregate;
import dev.eventbank.schemas.commands.AccountNumberAction;
import dev.eventbank.schemas.commands.AccountNumberCommand;
import dev.eventbank.schemas.commands.AccountNumberReservation;
import dev.eventbank.schemas.commands.CommandOutcome;
import dev.eventbank.schemas.commands.CommandResult;
import dev.eventbank.schemas.commands.RecentCommand;
import dev.eventbank.schemas.commands.ReservationStatus;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Objects;

/**
 * The decisions that keep account numbers unique: a reservation per number, held in the partition the number
 * hashes to and decided by that partition's single writer, like an account's commands. Pure: no Kafka, no clock.
 *
 * <p>In the number's partition ({@link #decide}):
 * <ul>
 *   <li>RESERVE: a free number becomes PENDING for the account; the account's own number (a retry) stays its own
 *   (a PENDING one is renewed); a number held by another account is refused {@value #TAKEN}, except a PENDING
 *   one older than the lease, refused {@value #UNCONFIRMED} with its holder so that the sender can check that
 *   holder ({@code CHECK_HOLDER}) and then RESERVE again naming it in {@code replaces}: it is replaced only if it
 *   is still exactly that reservation (compare and set).</li>
 *   <li>CONFIRM (the account was opened): PENDING becomes CONFIRMED, for ever: a closed account keeps its number.</li>
 *   <li>RELEASE (the open was refused and the account does not exist): the account's PENDING reservation made for
 *   that very open is removed; a CONFIRMED one, or another account's, never.</li>
 * </ul>
 * In the holder account's partition ({@link #checkHolder}): CHECK_HOLDER answers the account's number when it
 * exists; when it does not, it records the refusal of the holder's open command as that command's outcome, so the
 * open can never commit afterwards (a retry or a late copy of it is answered {@value #TAKEN}). Only then may the
 * number go to another account: a pending holder is never dropped while its open may still commit. The same step on
 * a keyed open's own account records its refusal when RESERVE found the number taken (AccountOpening), so that a
 * retry of it answers that refusal.
 *
 * <p>Numbers are compared in a canonical form ({@link #key}): upper case, without spaces and dashes, as IBANs are,
 * so {@code nl01 evbk-0001} and {@code NL01EVBK0001} are one number.
 */
public final class AccountNumbers {

    /** Rejection code: another account holds the number (opened, closed, or being opened). */
    public static final String TAKEN = "ACCOUNT_NUMBER_TAKEN";
    /** Rejection code of RESERVE: another account's open has held the number PENDING longer than the lease. */
    public static final String UNCONFIRMED = "ACCOUNT_NUMBER_UNCONFIRMED";

    private AccountNumbers() {
    }

    /**
     * What one number command decided.
     *
     * @param result      the answer; {@code reservation} in it is the number's holder after the command
     * @param writes      true when the reservation changes (to {@code reservation}, or removed when that is null)
     * @param reservation the new reservation when {@code writes}
     * @param fence       CHECK_HOLDER only: the outcome to record for the holder's open command, or null
     */
    record Decided(CommandResult result, boolean writes, AccountNumberReservation reservation, RecentCommand fence) {
    }

    /**
     * The detail of an open refused {@value #TAKEN}: the same whether it is answered at once or recorded as the open's
     * outcome ({@link #checkHolder}), so that a retry answered with the recorded outcome reads as the first answer.
     */
    public static String takenDetail(String accountNumber) {
        return "account number '" + accountNumber + "' is already taken by another account (account numbers are "
                + "compared without case, spaces and dashes); choose another number, or leave accountNumber out to "
                + "have one generated";
    }

    /** The canonical form of {@code accountNumber}, the reservation's key: upper case, no spaces, no dashes. */
    public static String key(String accountNumber) {
        return accountNumber.replace(" ", "").replace("-", "").toUpperCase(Locale.ROOT);
    }

    /**
     * Decides RESERVE, CONFIRM or RELEASE of {@code command}'s number.
     *
     * @param current the number's reservation now, null when the number is free
     * @param now     the writer's time of decision: a new reservation's {@code reservedAt}
     * @param lease   how long a PENDING reservation is protected before another account may have its holder checked
     */
    static Decided decide(AccountNumberCommand command, AccountNumberReservation current, Instant decidedAt, Duration lease) {
        // whole milliseconds, as the wire keeps them: a reservation named in replaces must equal the one held
        Instant now = decidedAt.truncatedTo(ChronoUnit.MILLIS);
        boolean own = current != null && current.getAccountId().equals(command.getAccountId());
        return switch (command.getAction()) {
            case RESERVE -> {
                if (own && current.getStatus() == ReservationStatus.CONFIRMED) {
                    yield unchanged(command, CommandOutcome.ACCEPTED, null, "the account holds the number", current, now);
                }
                if (current == null || own || (command.getReplaces() != null && command.getReplaces().equals(current)
                        && current.getStatus() == ReservationStatus.PENDING)) {
                    yield changed(command, pending(command, now), now);
                }
                boolean stale = current.getStatus() == ReservationStatus.PENDING
                        && !current.getReservedAt().plus(lease).isAfter(now);
                yield unchanged(command, CommandOutcome.REJECTED, stale ? UNCONFIRMED : TAKEN,
                        "account number '" + command.getAccountNumber() + "' is held by another account"
                                + (stale ? " whose open has not been confirmed" : ""), current, now);
            }
            case CONFIRM -> {
                if (current == null || (own && current.getStatus() == ReservationStatus.PENDING)) {
                    yield changed(command, AccountNumberReservation.newBuilder(pending(command, now))
                            .setReservedAt(current == null ? now : current.getReservedAt())
                            .setStatus(ReservationStatus.CONFIRMED).build(), now);
                }
                if (own) {
                    yield unchanged(command, CommandOutcome.ACCEPTED, null, "the account holds the number", current, now);
                }
                yield unchanged(command, CommandOutcome.REJECTED, TAKEN, "account number '" + command.getAccountNumber()
                        + "' is held by another account: it cannot be confirmed for this one", current, now);
            }
            case RELEASE -> {
                if (own && current.getStatus() == ReservationStatus.PENDING
                        && Objects.equals(current.getCommandId(), command.getOpenCommandId())) {
                    yield new Decided(result(command, CommandOutcome.ACCEPTED, 0, null, "released", null, now), true, null, null);
                }
                yield unchanged(command, CommandOutcome.ACCEPTED, null, "nothing of this open to release", current, now);
            }
            case CHECK_HOLDER -> throw new IllegalArgumentException("CHECK_HOLDER is decided in the account's partition: checkHolder");
        };
    }

    /**
     * Decides CHECK_HOLDER: whether the account {@code command} names exists, and if it does not, makes sure its
     * open ({@code openCommandId}) never commits.
     *
     * @param aggregate the account's aggregate, null when it was never opened
     * @param seen      the outcome recorded for the account's open command, or null
     * @param window    the idempotency window: a recorded outcome older than it counts as none
     * @return ACCEPTED; when the account exists, its version and, as {@code reservation}, its own number (CONFIRMED);
     * when it does not, version 0, no reservation, and the {@code fence} to record unless the open was already
     * decided (and did not open the account)
     */
    static Decided checkHolder(AccountNumberCommand command, AccountAggregate aggregate, RecentCommand seen, Instant decidedAt,
                               Duration window) {
        Instant now = decidedAt.truncatedTo(ChronoUnit.MILLIS);
        if (command.getAction() != AccountNumberAction.CHECK_HOLDER) {
            throw new IllegalArgumentException(command.getAction() + " is decided in the number's partition: decide");
        }
        if (aggregate != null) {
            AccountNumberReservation holds = AccountNumberReservation.newBuilder()
                    .setAccountNumber(aggregate.getAccountNumber())
                    .setAccountId(aggregate.getAccountId())
                    .setStatus(ReservationStatus.CONFIRMED)
                    .setCommandId(null)
                    .setFingerprint(null)
                    .setReservedAt(now)
                    .build();
            return new Decided(result(command, CommandOutcome.ACCEPTED, aggregate.getVersion(), null,
                    "the account exists", holds, now), false, null, null);
        }
        if (seen != null && !CommandHandler.expired(seen, now, window)) {
            return new Decided(result(command, CommandOutcome.ACCEPTED, 0, null,
                    "the account does not exist and its open was decided", null, now), false, null, null);
        }
        CommandResult refused = CommandResult.newBuilder()
                .setCommandId(command.getOpenCommandId())
                .setAccountId(command.getAccountId())
                .setOutcome(CommandOutcome.REJECTED)
                .setVersion(0)
                .setEventCount(0)
                .setRejectionCode(TAKEN)
                .setDetail(takenDetail(command.getAccountNumber()))
                .setCompletedAt(now)
                .setReservation(null)
                .build();
        return new Decided(result(command, CommandOutcome.ACCEPTED, 0, null,
                "the account does not exist; its open is refused from now on", null, now), false, null,
                new RecentCommand(command.getOpenFingerprint(), refused));
    }

    private static AccountNumberReservation pending(AccountNumberCommand command, Instant now) {
        return AccountNumberReservation.newBuilder()
                .setAccountNumber(command.getAccountNumber())
                .setAccountId(command.getAccountId())
                .setStatus(ReservationStatus.PENDING)
                .setCommandId(command.getOpenCommandId())
                .setFingerprint(command.getOpenFingerprint())
                .setReservedAt(now)
                .build();
    }

    private static Decided changed(AccountNumberCommand command, AccountNumberReservation next, Instant now) {
        return new Decided(result(command, CommandOutcome.ACCEPTED, 0, null, null, next, now), true, next, null);
    }

    private static Decided unchanged(AccountNumberCommand command, CommandOutcome outcome, String code, String detail,
                                     AccountNumberReservation current, Instant now) {
        return new Decided(result(command, outcome, 0, code, detail, current, now), false, null, null);
    }

    private static CommandResult result(AccountNumberCommand command, CommandOutcome outcome, long version, String code,
                                        String detail, AccountNumberReservation reservation, Instant now) {
        return CommandResult.newBuilder()
                .setCommandId(command.getCommandId())
                .setAccountId(command.getAccountId())
                .setOutcome(outcome)
                .setVersion(version)
                .setEventCount(0)
                .setRejectionCode(code)
                .setDetail(detail)
                .setCompletedAt(now)
                .setReservation(reservation)
                .build();
    }
}
