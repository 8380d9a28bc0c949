package dev.eventbank.command.logging;

import dev.eventbank.schemas.commands.AccountNumberCommand;
import dev.eventbank.schemas.commands.BankAccountCommand;
import dev.eventbank.support.logging.MdcScope;

/**
 * Puts one command's {@code correlationId}, {@code commandId} and {@code accountId} in the SLF4J MDC for the log
 * lines written while it is handled, and takes them out again on {@link #close()}: use it in try-with-resources
 * around the code that handles the command on the current thread. The keys are service-support's
 * {@link MdcScope} ones, shared with the query and projection services.
 *
 * <p>Limits: the MDC is per thread, so work that continues on another thread (a producer callback, a timeout)
 * opens its own scope; a scope opened inside another one for a different command restores nothing: it removes
 * the keys when it closes.
 */
public final class CommandMdc implements AutoCloseable {

    public static final String CORRELATION_ID = MdcScope.CORRELATION_ID;
    public static final String COMMAND_ID = MdcScope.COMMAND_ID;
    public static final String ACCOUNT_ID = MdcScope.ACCOUNT_ID;

    private final MdcScope scope;

    private CommandMdc(MdcScope scope) {
        this.scope = scope;
    }

    public static CommandMdc of(BankAccountCommand command) {
        return new CommandMdc(MdcScope.open()
                .put(CORRELATION_ID, command.getCorrelationId())
                .put(COMMAND_ID, command.getCommandId())
                .put(ACCOUNT_ID, command.getAccountId()));
    }

    /** The scope of an account number command: its account is the one the number is (to be) held by. */
    public static CommandMdc of(AccountNumberCommand command) {
        return new CommandMdc(MdcScope.open()
                .put(CORRELATION_ID, command.getCorrelationId())
                .put(COMMAND_ID, command.getCommandId())
                .put(ACCOUNT_ID, command.getAccountId()));
    }

    @Override
    public void close() {
        scope.close();
    }
}
