package dev.eventbank.projection.pipeline;

import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.support.logging.MdcScope;

/**
 * Puts the envelope of the event being handled ({@code correlationId}, {@code commandId}, {@code accountId} = the
 * aggregate id, {@code eventId}, {@code version}) in the SLF4J MDC, so every log line written while the projection
 * applies it, dead-letters it or snapshots it can be joined with the REST call and the command that caused it;
 * {@link #close()} takes them out again. Open it in try-with-resources around one record's processing: a stream
 * thread handles many records, one after the other, and must not leak one record's ids into the next's lines.
 * The keys are service-support's {@link MdcScope} ones, shared with the command and query services.
 *
 * <p>Limits: the MDC is per thread (work handed to another thread logs without it); a record that cannot be
 * decoded has no envelope, so only its key is known ({@link #ofKey}); a scope opened inside another one restores
 * nothing: it removes the keys when it closes.
 */
final class EventMdc implements AutoCloseable {

    private final MdcScope scope;

    private EventMdc(MdcScope scope) {
        this.scope = scope;
    }

    /** A scope that knows only the record's key (the account id), until {@link #describe} is given the event. */
    static EventMdc ofKey(String accountId) {
        return new EventMdc(MdcScope.open().put(MdcScope.ACCOUNT_ID, accountId));
    }

    /** Adds the decoded envelope's ids to this scope. */
    EventMdc describe(BankAccountEvent event) {
        scope.put(MdcScope.CORRELATION_ID, event.getCorrelationId())
                .put(MdcScope.COMMAND_ID, event.getCommandId())
                .put(MdcScope.ACCOUNT_ID, event.getAggregateId())
                .put(MdcScope.EVENT_ID, event.getEventId())
                .put(MdcScope.VERSION, event.getVersion());
        return this;
    }

    @Override
    public void close() {
        scope.close();
    }
}
