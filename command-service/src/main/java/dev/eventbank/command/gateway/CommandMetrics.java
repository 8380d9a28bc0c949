package dev.eventbank.command.gateway;

import dev.eventbank.schemas.commands.BankAccountCommand;
import dev.eventbank.schemas.commands.CloseAccount;
import dev.eventbank.schemas.commands.CommandOutcome;
import dev.eventbank.schemas.commands.CommandResult;
import dev.eventbank.schemas.commands.DepositMoney;
import dev.eventbank.schemas.commands.OpenAccount;
import dev.eventbank.schemas.commands.WithdrawMoney;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The command side's own meters, all counted from what this instance sent and read back {@code read_committed}:
 * <ul>
 *   <li>{@value #COMMANDS} (counter), tags {@code type} (open, deposit, withdraw, close) and {@code outcome}
 *   (accepted, rejected, conflict, not_found, key_reused; timeout when no result arrived within the reply timeout;
 *   not_sent when Kafka did not take the command);</li>
 *   <li>{@value #APPEND_LATENCY} (timer with a percentile histogram), tag {@code type}: from the send to the
 *   committed result, for commands answered within the reply timeout;</li>
 *   <li>{@value #EVENTS_APPENDED} (counter): events of committed, accepted results of commands sent from this
 *   instance. Counted at the results reader rather than in the processor because under exactly-once a processor
 *   may run a batch more than once (an aborted transaction is retried); a replayed answer to a retried command
 *   appends nothing and is not counted. The sum over instances is the number of events appended.</li>
 * </ul>
 * Limits: commands refused with a 400 before anything is sent are not counted here (see
 * {@code http.server.requests}); a result that arrives after this instance restarted is lost to these meters.
 */
public final class CommandMetrics {

    public static final String COMMANDS = "eventbank.commands";
    public static final String APPEND_LATENCY = "eventbank.command.append.latency";
    public static final String EVENTS_APPENDED = "eventbank.events.appended";

    private final MeterRegistry registry;
    private final Counter eventsAppended;

    public CommandMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.eventsAppended = Counter.builder(EVENTS_APPENDED)
                .description("events committed to bank-account-events by commands sent from this instance")
                .register(registry);
    }

    /** Meters that go nowhere, for code run without a Micronaut context (tests). */
    public static CommandMetrics none() {
        return new CommandMetrics(new SimpleMeterRegistry());
    }

    MeterRegistry registry() {
        return registry;
    }

    /** One command answered: its committed {@code result}, or none within the reply timeout. */
    void completed(BankAccountCommand command, Optional<CommandResult> result, long startNanos) {
        String type = type(command);
        String outcome = result.map(r -> r.getOutcome().name().toLowerCase(Locale.ROOT)).orElse("timeout");
        count(type, outcome);
        if (result.isPresent()) {
            Timer.builder(APPEND_LATENCY)
                    .description("from sending a command to reading its committed result")
                    .tag("type", type)
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofSeconds(10))
                    .register(registry)
                    .record(Duration.ofNanos(System.nanoTime() - startNanos));
        }
    }

    void notSent(BankAccountCommand command) {
        count(type(command), "not_sent");
    }

    /** A committed result of a command sent from here, read for the first time (not a replayed answer). */
    void committed(CommandResult result) {
        if (result.getOutcome() == CommandOutcome.ACCEPTED && result.getEventCount() > 0) {
            eventsAppended.increment(result.getEventCount());
        }
    }

    private void count(String type, String outcome) {
        Counter.builder(COMMANDS)
                .description("commands sent to Kafka, by type and outcome")
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
