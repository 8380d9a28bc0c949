package dev.eventbank.support.logging;

import org.slf4j.MDC;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Puts ids in the SLF4J MDC for the log lines written while one thing (a request, a command, an event) is handled
 * on the current thread, and takes them all out again on {@link #close()}: open it in try-with-resources. The key
 * names are the ones every service uses, so the JSON logs of the three services join on the same fields.
 *
 * <p>Limits: the MDC is per thread, so work that continues on another thread opens its own scope; a null value
 * is not put (an earlier value of that key stays) but the key is still removed on close; a scope opened inside
 * another one restores nothing: it removes its keys when it closes.
 */
public final class MdcScope implements AutoCloseable {

    public static final String CORRELATION_ID = "correlationId";
    public static final String COMMAND_ID = "commandId";
    public static final String ACCOUNT_ID = "accountId";
    public static final String EVENT_ID = "eventId";
    public static final String VERSION = "version";

    private final Set<String> keys = new LinkedHashSet<>();

    private MdcScope() {
    }

    public static MdcScope open() {
        return new MdcScope();
    }

    /** Puts {@code value} (its string form) under {@code key} unless it is null; {@link #close()} removes the key. */
    public MdcScope put(String key, Object value) {
        keys.add(key);
        if (value != null) {
            MDC.put(key, value.toString());
        }
        return this;
    }

    @Override
    public void close() {
        keys.forEach(MDC::remove);
    }
}
