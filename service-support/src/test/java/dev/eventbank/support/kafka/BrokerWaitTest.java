package dev.eventbank.support.kafka;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A start waits for a broker whose host name does not resolve yet (a container not started), where making the admin
 * client failed at once and the service exited; an interrupt (the JVM stopping) ends the wait.
 */
class BrokerWaitTest {

    @Test
    void anUnresolvedBrokerNameIsWaitedForUntilInterrupted() throws Exception {
        AtomicReference<Throwable> ended = new AtomicReference<>();
        Thread start = new Thread(() -> {
            try {
                BrokerWait.clusterId(Map.of("bootstrap.servers", "broker-not-started.invalid:9092"), "test");
            } catch (Throwable t) {
                ended.set(t);
            }
        });
        start.start();
        start.join(3_000);
        assertTrue(start.isAlive(), "still waiting after 3 s: " + ended.get());

        start.interrupt();
        start.join(10_000);
        assertFalse(start.isAlive(), "the interrupt ended the wait");
        assertInstanceOf(IllegalStateException.class, ended.get());
    }
}
