package dev.eventbank.command.routing;

import dev.eventbank.command.access.Caller;
import dev.eventbank.command.logging.CommandMdc;
import dev.eventbank.command.writer.AccountNumbers;
import dev.eventbank.schemas.commands.AccountNumberAction;
import dev.eventbank.schemas.commands.AccountNumberCommand;
import dev.eventbank.schemas.commands.AccountNumberReservation;
import dev.eventbank.schemas.commands.BankAccountCommand;
import dev.eventbank.schemas.commands.CommandOutcome;
import dev.eventbank.schemas.commands.CommandResult;
import dev.eventbank.schemas.commands.OpenAccount;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Opens an account with a unique account number, in three steps across two partitions (the number's and the
 * account's), each decided by that partition's single writer ({@link AccountNumbers}):
 * <ol>
 *   <li>RESERVE the number for the account in the number's partition. Refused when another account holds it:
 *   the answer is REJECTED {@value AccountNumbers#TAKEN} for the open (409), and nothing is appended. When the
 *   holder's reservation is PENDING and older than the lease (its open crashed, or is very late), CHECK_HOLDER
 *   asks the holder's partition first: if that account exists with the number, the number is CONFIRMED for it and
 *   this open refused; if not, that partition records the holder's open as refused, so it can never commit, and
 *   only then is the reservation taken over (RESERVE naming the holder it replaces, which succeeds only if the
 *   reservation did not change meanwhile).</li>
 *   <li>send the open to the account's partition ({@link CommandRouter}).</li>
 *   <li>CONFIRM the number when the account was opened (also for a retry answered with the first outcome), or
 *   RELEASE it when the open was refused for good and the account does not exist. Neither is needed for correctness (a
 *   pending reservation is settled by the next CHECK_HOLDER), so a failure here is logged, not answered.</li>
 * </ol>
 * A teller's open with an {@code Idempotency-Key} refused {@value AccountNumbers#TAKEN} in step 1 has that refusal
 * recorded as the open's outcome before it is answered (CHECK_HOLDER on the open's own account: if the account does
 * not exist and the open has no outcome yet, the refusal is recorded, as for a stale holder), and is then answered
 * by its account's partition: the recorded refusal, or the outcome of an earlier attempt with the same key. So a
 * retry with the same key and request answers the first outcome even if the number became free meanwhile (its holder's
 * open was refused and released it), instead of opening the account. Not for a customer's open: its number is the
 * one generated from its account id (taken only if a teller gave that very number to another account), and
 * CHECK_HOLDER is a teller's step (the internal route refuses it to customer tokens), so its refusal is not recorded
 * and a retry after the number became free opens the account.
 *
 * <p>A crash between the steps leaves at most a PENDING reservation, which blocks the number until its lease ends and
 * is then settled as above. Retries are safe: the account id and the open's command id come from the
 * {@code Idempotency-Key}, and re-reserving one's own number succeeds.
 *
 * <p>Limits: a number held PENDING by a live open is refused to others during the lease (30 s by default), even if
 * that open fails afterwards; an open that passes this class ({@code POST /internal/commands} with an OpenAccount)
 * reserves nothing.
 */
public final class AccountOpening {

    private static final Logger LOG = LoggerFactory.getLogger(AccountOpening.class);
    /** How many stale holders one open checks before it answers 409 (each check may find a newer holder). */
    private static final int MAX_CHECKS = 2;
    /** Time given to CONFIRM and RELEASE even when the open used up the reply timeout: they do not delay a 2xx much. */
    private static final Duration SETTLE_AT_LEAST = Duration.ofMillis(500);

    private final CommandRouter router;
    private final CommandMetrics metrics;
    private final Clock clock;

    /**
     * @param router  sends each step to the owner of its partition
     * @param metrics counts an open refused for its number, or not answered in time before it is sent, as the open's
     *                outcome (the open itself is counted by the router when it is sent)
     * @param clock   the time the steps are issued at
     */
    public AccountOpening(CommandRouter router, CommandMetrics metrics, Clock clock) {
        this.router = router;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * Reserves the number of {@code open} (an {@link OpenAccount} command), opens the account and confirms or releases
     * the number, on behalf of {@code caller} (whose token goes with every step that is forwarded).
     *
     * @return the open's committed result, or REJECTED {@value AccountNumbers#TAKEN} (version 0) when another
     * account holds the number; fails with {@code NotCommittedException} when a step's outcome is not known in
     * {@code timeout} (the open may or may not have been applied: a retry with the same {@code Idempotency-Key} tells)
     */
    public CompletableFuture<CommandResult> open(BankAccountCommand open, Caller caller, Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        String number = ((OpenAccount) open.getPayload()).getAccountNumber();
        // the router counts the open when it sends it; an open that fails before (its number's reservation or check
        // not answered in time) is counted here, or an alert on timeouts would miss the opens
        AtomicBoolean sent = new AtomicBoolean();
        return reserve(open, caller, number, null, deadline, 0).thenCompose(reserved -> {
            if (!reserved && open.getIdempotencyKey() != null && caller.isTeller()) {
                return refuseForGood(open, caller, number, deadline, sent);
            }
            if (!reserved) {
                CommandResult taken = taken(open, number);
                metrics.completed(open, Optional.of(taken), start);
                try (CommandMdc mdc = CommandMdc.of(open)) {
                    LOG.info("account number taken accountNumber=\"{}\" accountId={} commandId={}", number,
                            open.getAccountId(), open.getCommandId());
                }
                return CompletableFuture.completedFuture(taken);
            }
            sent.set(true);
            return router.send(open, caller, remaining(deadline)).thenCompose(result -> settle(open, caller, number, result, deadline));
        }).whenComplete((result, failure) -> {
            if (failure != null && !sent.get()) {
                metrics.completed(open, Optional.empty(), start);
            }
        });
    }

    /**
     * Records the refusal of a keyed {@code open} whose number another account holds as the open's outcome, unless
     * the open already has one or its account exists, then answers what the account's partition answers the open:
     * the refusal just recorded, or an earlier attempt's outcome (or KEY_REUSED, ALREADY_OPEN). The open cannot open
     * the account there: the check, decided by the same writer before it, left it an outcome or found the account.
     */
    private CompletableFuture<CommandResult> refuseForGood(BankAccountCommand open, Caller caller, String number, long deadline,
                                                           AtomicBoolean sent) {
        AccountNumberCommand record = command(open, AccountNumberAction.CHECK_HOLDER, number, open.getAccountId(),
                open.getCommandId(), open.getFingerprint(), null);
        return router.send(record, caller, remaining(deadline)).thenCompose(checked -> {
            try (CommandMdc mdc = CommandMdc.of(open)) {
                LOG.info("account number taken, refusal recorded for the key accountNumber=\"{}\" accountId={} "
                        + "commandId={} accountExists={}", number, open.getAccountId(), open.getCommandId(),
                        checked.getReservation() != null);
            }
            sent.set(true);
            return router.send(open, caller, remaining(deadline));
        }).thenCompose(result -> settle(open, caller, number, result, deadline));
    }

    /** True when the number is reserved for the open's account; false when another account holds it. */
    private CompletableFuture<Boolean> reserve(BankAccountCommand open, Caller caller, String number, AccountNumberReservation replaces,
                                               long deadline, int checks) {
        AccountNumberCommand reserve = command(open, AccountNumberAction.RESERVE, number, open.getAccountId(),
                open.getCommandId(), open.getFingerprint(), replaces);
        return router.send(reserve, caller, remaining(deadline)).thenCompose(result -> {
            if (result.getOutcome() == CommandOutcome.ACCEPTED) {
                return CompletableFuture.completedFuture(true);
            }
            AccountNumberReservation holder = result.getReservation();
            // CHECK_HOLDER is a teller's step: a customer's open names no number (it gets the one derived from its
            // account id), so a number held by another account is simply taken for it
            if (AccountNumbers.UNCONFIRMED.equals(result.getRejectionCode()) && holder != null && checks < MAX_CHECKS
                    && caller.isTeller()) {
                return holderKeeps(open, caller, holder, deadline).thenCompose(keeps -> keeps
                        ? CompletableFuture.completedFuture(false)
                        : reserve(open, caller, number, holder, deadline, checks + 1));
            }
            return CompletableFuture.completedFuture(false);
        });
    }

    /**
     * Checks the account of a stale PENDING {@code holder}: true (and the number confirmed for it) when it exists
     * with the number; false when it does not (its open is then refused for good) or exists with another number.
     */
    private CompletableFuture<Boolean> holderKeeps(BankAccountCommand open, Caller caller, AccountNumberReservation holder,
                                                   long deadline) {
        String holderOpen = holder.getCommandId() == null ? "" : holder.getCommandId();
        String holderFingerprint = holder.getFingerprint() == null ? "" : holder.getFingerprint();
        AccountNumberCommand check = command(open, AccountNumberAction.CHECK_HOLDER, holder.getAccountNumber(),
                holder.getAccountId(), holderOpen, holderFingerprint, null);
        return router.send(check, caller, remaining(deadline)).thenCompose(result -> {
            AccountNumberReservation actual = result.getReservation();
            boolean keeps = actual != null
                    && AccountNumbers.key(actual.getAccountNumber()).equals(AccountNumbers.key(holder.getAccountNumber()));
            LOG.info("account number holder checked accountNumber=\"{}\" holder={} holderExists={} keeps={} "
                    + "correlationId={}", holder.getAccountNumber(), holder.getAccountId(), actual != null, keeps,
                    open.getCorrelationId());
            if (!keeps) {
                return CompletableFuture.completedFuture(false);
            }
            return router.send(command(open, AccountNumberAction.CONFIRM, holder.getAccountNumber(), holder.getAccountId(),
                    holderOpen, holderFingerprint, null), caller, remaining(deadline)).thenApply(confirmed -> true);
        });
    }

    /** After the open: CONFIRM when the account exists, RELEASE when it does not; answers the open's result. */
    private CompletableFuture<CommandResult> settle(BankAccountCommand open, Caller caller, String number,
                                                    CommandResult result, long deadline) {
        AccountNumberAction action;
        if (result.getOutcome() == CommandOutcome.ACCEPTED) {
            action = AccountNumberAction.CONFIRM;
        } else if (result.getVersion() == 0 && result.getOutcome() != CommandOutcome.CONFLICT) {
            // refused for good: a rejection (recorded for a keyed open, so every retry of it is refused too, and
            // deterministic for an unkeyed one) or a reused key; a CONFLICT is not recorded, and a retry of the same
            // open without If-Match could still open the account with this number
            action = AccountNumberAction.RELEASE;
        } else {
            // the account exists (a different open of it, same key), or the open conflicted: a pending reservation
            // of this number is settled by the next CHECK_HOLDER
            return CompletableFuture.completedFuture(result);
        }
        Duration left = remaining(deadline);
        AccountNumberCommand step = command(open, action, number, open.getAccountId(), open.getCommandId(),
                open.getFingerprint(), null);
        return router.send(step, caller, left.compareTo(SETTLE_AT_LEAST) < 0 ? SETTLE_AT_LEAST : left).handle((settled, error) -> {
            try (CommandMdc mdc = CommandMdc.of(open)) {
                if (error != null) {
                    LOG.warn("account number not settled action={} accountNumber=\"{}\" accountId={} error=\"{}\"",
                            action, number, open.getAccountId(), error.toString());
                } else if (settled.getOutcome() != CommandOutcome.ACCEPTED) {
                    // cannot happen while every open reserves first: say so loudly if it does
                    LOG.error("account number held by another account after an accepted open action={} "
                            + "accountNumber=\"{}\" accountId={} detail=\"{}\"", action, number, open.getAccountId(),
                            settled.getDetail());
                }
            }
            return result;
        });
    }

    private CommandResult taken(BankAccountCommand open, String number) {
        return CommandResult.newBuilder()
                .setCommandId(open.getCommandId())
                .setAccountId(open.getAccountId())
                .setOutcome(CommandOutcome.REJECTED)
                .setVersion(0)
                .setEventCount(0)
                .setRejectionCode(AccountNumbers.TAKEN)
                .setDetail(AccountNumbers.takenDetail(number))
                .setCompletedAt(clock.instant())
                .build();
    }

    private AccountNumberCommand command(BankAccountCommand open, AccountNumberAction action, String number,
                                         String accountId, String openCommandId, String openFingerprint,
                                         AccountNumberReservation replaces) {
        return AccountNumberCommand.newBuilder()
                .setCommandId(UUID.randomUUID().toString())
                .setAction(action)
                .setAccountNumber(number)
                .setAccountId(accountId)
                .setOpenCommandId(openCommandId)
                .setOpenFingerprint(openFingerprint)
                .setReplaces(replaces)
                .setCorrelationId(open.getCorrelationId())
                .setIssuedAt(clock.instant())
                .build();
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }
}
