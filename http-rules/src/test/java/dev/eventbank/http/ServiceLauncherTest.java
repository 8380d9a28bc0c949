package dev.eventbank.http;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ServiceLauncherTest {

    @Test
    void logFormatIsPlainOrJsonInAnyCaseAndThePropertyWins() {
        assertEquals("plain", ServiceLauncher.logFormat(null, null));
        assertEquals("plain", ServiceLauncher.logFormat(null, " "));
        assertEquals("json", ServiceLauncher.logFormat(null, "JSON"));
        assertEquals("json", ServiceLauncher.logFormat(" Json ", "plain"));
        assertEquals("plain", ServiceLauncher.logFormat("plain", "json"));
        assertNull(ServiceLauncher.logFormat(null, "jsonl"));
        assertNull(ServiceLauncher.logFormat("text", null));
    }

    @Test
    void reasonIsTheInnermostMessageWithoutMicronautsBeanPath() {
        Exception micronaut = new IllegalStateException("Error instantiating bean of type  [dev.X]\n\nMessage: "
                + "eventbank.commands.max-batch must be at least 1, was 0\nPath Taken:\nnew X(int maxBatch)",
                new IllegalArgumentException("eventbank.commands.max-batch must be\n  at least 1, was 0"));
        assertEquals("eventbank.commands.max-batch must be at least 1, was 0", ServiceLauncher.reason(micronaut));

        // a cause without a message (a TimeoutException) does not hide the message around it
        Exception topics = new IllegalStateException("Message: could not check topics \"x\"\nPath Taken: y",
                new TimeoutException());
        assertEquals("could not check topics 'x'", ServiceLauncher.reason(topics));

        assertEquals(TimeoutException.class.getName(), ServiceLauncher.reason(new TimeoutException()));

        // the context an outer message gives is kept
        Exception port = new IllegalStateException("Unable to start Micronaut server on *:8080",
                new java.net.BindException("Address already in use"));
        assertEquals("Unable to start Micronaut server on *:8080: Address already in use", ServiceLauncher.reason(port));
    }

    @Test
    void aCauseChainThatLoopsEnds() {
        IllegalStateException first = new IllegalStateException("first");
        IllegalArgumentException second = new IllegalArgumentException("second", first);
        first.initCause(second);
        assertEquals("first: second", ServiceLauncher.reason(first));
    }
}
