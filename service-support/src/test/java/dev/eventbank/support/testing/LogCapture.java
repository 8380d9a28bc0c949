package dev.eventbank.support.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Captures the lines one logger writes, with the MDC as it was on the thread that logged (taken at once, as an
 * asynchronous appender would), for tests that check what a log line carries; and encodes a line the way the
 * service's own {@code logback.xml} (not a test one) writes it for a {@code LOG_FORMAT}. Close it to detach.
 *
 * <p>Limits: only the named logger's lines (and its children's), at the levels it lets through (see
 * {@link #atLevel}); the lines are kept in memory until closed.
 */
public final class LogCapture implements AutoCloseable {

    private final Logger logger;
    private final Level levelBefore;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>() {
        @Override
        protected void append(ILoggingEvent event) {
            // the MDC is read lazily: take it now, on the thread that logs
            event.prepareForDeferredProcessing();
            super.append(event);
        }
    };

    private LogCapture(Logger logger) {
        this.logger = logger;
        this.levelBefore = logger.getLevel();
        appender.start();
        logger.addAppender(appender);
    }

    public static LogCapture of(String loggerName) {
        return new LogCapture((Logger) LoggerFactory.getLogger(loggerName));
    }

    public static LogCapture of(Class<?> loggerClass) {
        return of(loggerClass.getName());
    }

    /** Lets the logger through at {@code level} (e.g. DEBUG) until closed. */
    public LogCapture atLevel(Level level) {
        logger.setLevel(level);
        return this;
    }

    /** The lines so far. */
    public List<ILoggingEvent> lines() {
        // logback appends under the appender's own lock (AppenderBase.doAppend is synchronized), from the logging
        // thread: copying under it never meets a list being grown
        synchronized (appender) {
            return List.copyOf(appender.list);
        }
    }

    /** The lines whose message starts with {@code prefix}. */
    public List<ILoggingEvent> lines(String prefix) {
        return lines().stream().filter(line -> line.getFormattedMessage().startsWith(prefix)).toList();
    }

    /** The first line whose MDC has {@code value} under {@code key}, waiting up to {@code within} for it. */
    public ILoggingEvent await(String key, String value, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        do {
            for (ILoggingEvent line : lines()) {
                if (value.equals(line.getMDCPropertyMap().get(key))) {
                    return line;
                }
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("no log line with " + key + "=" + value + " in " + lines());
    }

    /**
     * {@code line} as the service's {@code logback.xml} writes it with {@code LOG_FORMAT=format} (null: the
     * default), through the appender of that name.
     */
    @SuppressWarnings("unchecked")
    public static String encode(ILoggingEvent line, String format) throws JoranException {
        LoggerContext context = new LoggerContext();
        if (format != null) {
            context.putProperty("LOG_FORMAT", format);
        }
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        URL config = LogCapture.class.getResource("/logback.xml");
        if (config == null) {
            throw new AssertionError("no logback.xml on the class path");
        }
        configurator.doConfigure(config);
        try {
            String name = format == null ? "plain" : format;
            OutputStreamAppender<ILoggingEvent> chosen =
                    (OutputStreamAppender<ILoggingEvent>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(name);
            if (chosen == null) {
                throw new AssertionError("logback.xml has no appender " + name + " on the root logger");
            }
            return new String(chosen.getEncoder().encode(line), StandardCharsets.UTF_8);
        } finally {
            context.stop();
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        logger.setLevel(levelBefore);
    }
}
