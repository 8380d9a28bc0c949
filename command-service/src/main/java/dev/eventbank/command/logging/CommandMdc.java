package dev.eventbank.command.logging;

import dev.eventbank.schemas.commands.BankAccountCommand;
import org.slf4j.MDC;

/**
 * Puts one command's {@code correlationId}, {@code commandId} and {@code accountId} in the SLF4J MDC for the log
 * lines written while it is handled, and takes them out again on {@link #close()}: use it in try-with-resources
 * around the code that handles the command on the current thread.
 *
 * <p>Limits: the MDC is per thread, so work that continues on another thread (a producer callback, a timeout)
 * opens its own scope; a scope opened inside another one for a different command restores nothing: it removes
 * the keys when it closes.
 */
public final class CommandMdc implements AutoCloseable {

    public static final String CORRELATION_ID = "correlationId";
    public static final String COMMAND_ID = "commandId";
    public static final String ACCOUNT_ID = "accountId";

    private CommandMdc() {
    }

    public static CommandMdc of(BankAccountCommand command) {
        put(CORRELATION_ID, command.getCorrelationId());
        put(COMMAND_ID, command.getCommandId());
        put(ACCOUNT_ID, command.getAccountId());
        return new CommandMdc();
    }

    private static void put(String key, String value) {
        if (value != null) {
            MDC.put(key, value);
        }
    }

    @Override
    public void close() {
        MDC.remove(CORRELATION_ID);
        MDC.remove(COMMAND_ID);
        MDC.remove(ACCOUNT_ID);
    }
}
