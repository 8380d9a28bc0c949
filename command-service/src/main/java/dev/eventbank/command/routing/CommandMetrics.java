package dev.eventbank.command.routing;

import dev.eventbank.schemas.commands.BankAccountCommand;
import dev.eventbank.schemas.commands.CloseAccount;
import dev.eventbank.schemas.commands.CommandOutcome;
import dev.eventbank.schemas.commands.CommandResult;
import dev.eventbank.schemas.commands.DepositMoney;
import dev.eventbank.schemas.commands.OpenAccount;
import dev.eventbank.schemas.commands.WithdrawMoney;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The command side's own meters:
 * <ul>
 *   <li>{@value #COMMANDS} (counter), tags {@code type} (open, deposit, withdraw, close) and {@code outcome}
 *   (accepted, rejected, conflict, not_found, key_reused; invalid for the 400s a writer decides, an amount with more
 *   decimals than the account's currency; timeout when no outcome was known within the reply timeout), counted by
 *   the instance that took the HTTP request;</li>
 *   <li>{@value #APPEND_LATENCY} (timer with a percentile histogram), tag {@code type}: from taking the command to
 *   knowing its committed outcome, forwarding to the owner included;</li>
 *   <li>{@value #EVENTS_APPENDED} (counter): events committed by this instance's partition writers (an outcome
 *   answered again to a retry appends nothing and is not counted). The sum over instances is the number of
 *   events appended.</li>
 *   <li>{@value #TRANSACTION_DURATION} (timer) and {@value #TRANSACTION_COMMANDS} (distribution summary): each
 *   partition writer's transactions, from {@code beginTransaction} to the return of {@code commitTransaction}, and
 *   how many commands each carried (group commit: more than one under load).</li>
 * </ul>
 * Limits: commands refused with a 400 by the REST layer, before they reach a writer, are not counted here (see
 * {@code http.server.requests}).
 */
public final class CommandMetrics {

    public static final String COMMANDS = "eventbank.commands";
    public static final String APPEND_LATENCY = "eventbank.command.append.latency";
    public static final String EVENTS_APPENDED = "eventbank.events.appended";
    public static final String TRANSACTION_DURATION = "eventbank.command.transaction.duration";
    public static final String TRANSACTION_COMMANDS = "eventbank.command.transaction.commands";
    /** Commands a partition writer did not decide, tagged {@code reason}: {@value #QUEUE_FULL} or {@value #DEADLINE_PASSED}. */
    public static final String SKIPPED = "eventbank.command.skipped";
    /** Refused at once: the partition's queue was full ({@code eventbank.commands.max-queued}). */
    public static final String QUEUE_FULL = "queue-full";
    /** Taken from the queue after its reply timeout had passed: not decided. */
    public static final String DEADLINE_PASSED = "deadline-passed";

    // the rejection codes answered 400 (CommandResponses): a writer's check of the input, not a business rule
    private static final Set<String> INVALID_INPUT = Set.of("INVALID_AMOUNT", "INVALID_COMMAND");

    private final MeterRegistry registry;
    private final Counter eventsAppended;
    private final Timer transactions;
    private final DistributionSummary commandsPerTransaction;

    public CommandMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.eventsAppended = Counter.builder(EVENTS_APPENDED)
                .description("events committed to bank-account-events by this instance's partition writers")
                .register(registry);
        this.transactions = Timer.builder(TRANSACTION_DURATION)
                .description("a partition writer's transaction, from begin to the return of commit")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        this.commandsPerTransaction = DistributionSummary.builder(TRANSACTION_COMMANDS)
                .description("commands committed by one transaction of a partition writer")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
    }

    /** One committed transaction of a partition writer: how long it took and how many commands it carried. */
    public void transaction(long nanos, int commands) {
        transactions.record(Duration.ofNanos(nanos));
        commandsPerTransaction.record(commands);
    }

    /** One command a partition writer did not decide, for {@code reason} ({@link #QUEUE_FULL}, {@link #DEADLINE_PASSED}). */
    public void skipped(String reason) {
        Counter.builder(SKIPPED)
                .description("commands a partition writer did not decide: refused for a full queue, or taken after "
                        + "their reply timeout; nothing of them was appended")
                .tag("reason", reason)
                .register(registry)
                .increment();
    }

    /** Meters that go nowhere, for code run without a Micronaut context (tests). */
    public static CommandMetrics none() {
        return new CommandMetrics(new SimpleMeterRegistry());
    }

    /** Where these meters (and the writers' producer metrics) are registered. */
    public MeterRegistry registry() {
        return registry;
    }

    /** One command answered: its committed {@code result}, or none within the reply timeout. */
    public void completed(BankAccountCommand command, Optional<CommandResult> result, long startNanos) {
        String type = type(command);
        String outcome = result.map(CommandMetrics::outcome).orElse("timeout");
        count(type, outcome);
        if (result.isPresent()) {
            Timer.builder(APPEND_LATENCY)
                    .description("from taking a command to knowing its committed outcome")
                    .tag("type", type)
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofSeconds(10))
                    .register(registry)
                    .record(Duration.ofNanos(System.nanoTime() - startNanos));
        }
    }

    /** A result committed by this instance's writer (not an earlier outcome answered again). */
    public void committed(CommandResult result) {
        if (result.getOutcome() == CommandOutcome.ACCEPTED && result.getEventCount() > 0) {
            eventsAppended.increment(result.getEventCount());
        }
    }

    /** The {@code outcome} tag of a result: a rejection answered 400 is invalid input, not a business rule. */
    static String outcome(CommandResult result) {
        if (result.getOutcome() == CommandOutcome.REJECTED && INVALID_INPUT.contains(result.getRejectionCode())) {
            return "invalid";
        }
        return result.getOutcome().name().toLowerCase(Locale.ROOT);
    }

    private void count(String type, String outcome) {
        Counter.builder(COMMANDS)
                .description("commands taken over HTTP, by type and outcome")
                .tag("type", type)
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }

    static String type(BankAccountCommand command) {
        Object payload = command.getPayload();
        if (payload instanceof OpenAccount) {
            return "open";
        } else if (payload instanceof DepositMoney) {
            return "deposit";
        } else if (payload instanceof WithdrawMoney) {
            return "withdraw";
        } else if (payload instanceof CloseAccount) {
            return "close";
        }
        return "unknown";
    }
}
