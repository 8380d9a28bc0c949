package dev.eventbank.projection;

import dev.eventbank.schemas.events.BankAccountEvent;
import org.slf4j.MDC;

/**
 * Puts the envelope of the event being handled ({@code correlationId}, {@code commandId}, {@code accountId} = the
 * aggregate id, {@code eventId}, {@code version}) in the SLF4J MDC, so every log line written while the projection
 * applies it, dead-letters it or snapshots it can be joined with the REST call and the command that caused it;
 * {@link #close()} takes them out again. Open it in try-with-resources around one record's processing: a stream
 * thread handles many records, one after the other, and must not leak one record's ids into the next's lines.
 *
 * <p>Limits: the MDC is per thread (work handed to another thread logs without it); a record that cannot be
 * decoded has no envelope, so only its key is known ({@link #ofKey}); a scope opened inside another one restores
 * nothing: it removes the keys when it closes.
 */
final class EventMdc implements AutoCloseable {

    static final String CORRELATION_ID = "correlationId";
    static final String COMMAND_ID = "commandId";
    static final String ACCOUNT_ID = "accountId";
    static final String EVENT_ID = "eventId";
    static final String VERSION = "version";

    private EventMdc() {
    }

    /** A scope that knows only the record's key (the account id), until {@link #describe} is given the event. */
    static EventMdc ofKey(String accountId) {
        put(ACCOUNT_ID, accountId);
        return new EventMdc();
    }

    /** Adds the decoded envelope's ids to this scope. */
    EventMdc describe(BankAccountEvent event) {
        put(CORRELATION_ID, event.getCorrelationId());
        put(COMMAND_ID, event.getCommandId());
        put(ACCOUNT_ID, event.getAggregateId());
        put(EVENT_ID, event.getEventId());
        put(VERSION, String.valueOf(event.getVersion()));
        return this;
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
        MDC.remove(EVENT_ID);
        MDC.remove(VERSION);
    }
}
