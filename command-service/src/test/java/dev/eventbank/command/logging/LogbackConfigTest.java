package dev.eventbank.command.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.joran.spi.JoranException;
import org.junit.jupiter.api.Test;

import java.net.URL;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The service's logback.xml (not the tests' one) writes plain lines by default and JSON with LOG_FORMAT=json. */
class LogbackConfigTest {

    @Test
    void shouldWritePlainLinesWhenNoFormatIsChosen() throws JoranException {
        // when
        LoggerContext context = configure(null);

        // then
        assertNotNull(context.getLogger("ROOT").getAppender("plain"));
        assertNull(context.getLogger("ROOT").getAppender("json"));
    }

    @Test
    void shouldWriteJsonWhenLogFormatIsJson() throws JoranException {
        // when
        LoggerContext context = configure("json");

        // then
        ConsoleAppender<?> appender = (ConsoleAppender<?>) context.getLogger("ROOT").getAppender("json");
        assertNotNull(appender);
        assertInstanceOf(JsonEncoder.class, appender.getEncoder());
        assertNull(context.getLogger("ROOT").getAppender("plain"));
    }

    @Test
    void shouldSilenceTheTokenValidatorsStackTraceForAClientsMalformedClaims() throws JoranException {
        LoggerContext context = configure(null);

        assertFalse(context.getLogger("io.micronaut.security.token.jwt.nimbus.AbstractJsonWebTokenValidator").isErrorEnabled());
        assertTrue(context.getLogger("io.micronaut.security.token.jwt.nimbus.OtherClass").isWarnEnabled());
    }

    private static LoggerContext configure(String format) throws JoranException {
        LoggerContext context = new LoggerContext();
        if (format != null) {
            context.putProperty("LOG_FORMAT", format);
        }
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        URL config = LogbackConfigTest.class.getResource("/logback.xml");
        assertNotNull(config, "logback.xml on the class path");
        configurator.doConfigure(config);
        return context;
    }
}
