package dev.eventbank.command.ownership;

import dev.eventbank.support.testing.Await;
import dev.eventbank.support.testing.LogCapture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The directory with a real admin client against a broker that accepts connections and never answers, as a frozen
 * broker looks to a client: a health check answers at once while the read it started is in flight, and false once
 * that read has given up; forwarding ({@code ownerOf}) and health checks do not wait for each other. The "broker" is
 * a socket on 127.0.0.1 that accepts and stays silent. No durations are asserted: what is checked is where the reads
 * and threads are; the only times are the bounds of the waits (a read gives up after 3 s).
 */
class OwnerDirectoryTest {

    private static final Duration WITHIN = Duration.ofSeconds(15);
    private static final String ENDPOINT = "http://10.0.0.5:8080";

    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private ServerSocket silentBroker;
    private Thread acceptor;
    private Admin admin;
    private OwnerDirectory directory;

    @BeforeEach
    void startASilentBroker() throws IOException {
        silentBroker = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        acceptor = new Thread(() -> {
            // bounded: at most 100 connections, and it ends when the socket is closed after the test
            for (int i = 0; i < 100; i++) {
                try {
                    accepted.add(silentBroker.accept());
                } catch (IOException closed) {
                    return;
                }
            }
        }, "silent-broker");
        acceptor.setDaemon(true);
        acceptor.start();
        // the timeouts of the service's own admin client (CommandServiceFactory.admin)
        admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + silentBroker.getLocalPort(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000));
        directory = new OwnerDirectory(admin, "bank-account-command-writers");
    }

    @AfterEach
    void stopTheBroker() throws Exception {
        admin.close(Duration.ZERO);
        silentBroker.close();
        for (Socket socket : accepted) {
            socket.close();
        }
        acceptor.join(WITHIN.toMillis());
    }

    @Test
    void shouldAnswerAHealthCheckAtOnceAndFalseOnceTheReadItStartedHasGivenUp() throws Exception {
        try (LogCapture log = LogCapture.of(OwnerDirectory.class)) {
            // when: a health check, nothing read yet
            boolean reachable = directory.isBrokerReachable(Duration.ofSeconds(1));

            // then: it has returned, and the read it started is still in flight
            assertTrue(directory.isReadingInBackground(), "the read the health check started has not ended");
            assertFalse(reachable, "nothing answered yet");
            assertFalse(directory.isSettled(ENDPOINT, Set.of(0), 1, Duration.ofSeconds(1)), "nothing read yet");

            // when: the read gives up
            Await.until(() -> !directory.isReadingInBackground(), "the health check's read to give up", WITHIN);

            // then (the read's end is marked before its line is logged, outside the directory's lock)
            assertFalse(directory.isBrokerReachable(Duration.ofHours(1)), "a read with no answer counts as failed");
            Await.until(() -> !log.lines("owner lookup failed").isEmpty(), "the failed lookup's log line", WITHIN);
            assertEquals(1, log.lines("owner lookup failed").size(), log.lines().toString());

            // and: the next check starts the next read; its failure is not logged again
            assertFalse(directory.isBrokerReachable(Duration.ZERO));
            assertTrue(directory.isReadingInBackground(), "the next read is in flight");
            Await.until(() -> !directory.isReadingInBackground(), "the next read to give up", WITHIN);
            assertFalse(directory.isBrokerReachable(Duration.ofHours(1)));
            assertEquals(1, log.lines("owner lookup failed").size(), "one line while lookups fail: " + log.lines());
            assertEquals(0, log.lines("owner lookup recovered").size(), log.lines().toString());
        }
    }

    @Test
    void shouldNotMakeForwardingAndHealthChecksWaitForEachOther() throws Exception {
        // given: a health check's read in flight
        directory.isBrokerReachable(Duration.ofSeconds(1));
        assertTrue(directory.isReadingInBackground());

        // when: a forwarder asks for an owner on another thread
        AtomicReference<Optional<String>> owner = new AtomicReference<>();
        Thread forwarder = new Thread(() -> owner.set(directory.ownerOf(0, Duration.ofSeconds(1))), "forwarder");
        forwarder.setDaemon(true);
        forwarder.start();

        // then: it waits for its own read while the health check's is still in flight, not behind it
        Await.until(() -> isWaitingForTheBroker(forwarder), "the forwarder to wait for its own read", WITHIN);
        assertTrue(directory.isReadingInBackground(), "the health check's read is still in flight");

        // when: health checks while the forwarder waits for the broker (holding what it locks for its read)
        boolean reachable = directory.isBrokerReachable(Duration.ZERO);
        boolean settled = directory.isSettled(ENDPOINT, Set.of(0), 1, Duration.ZERO);

        // then: they have returned, and the forwarder is still waiting for its read
        assertTrue(isWaitingForTheBroker(forwarder), "the health checks returned before the forwarder's read ended");
        assertFalse(reachable);
        assertFalse(settled);

        // and: the forwarder's read gives up too, with no owner known
        forwarder.join(WITHIN.toMillis());
        assertFalse(forwarder.isAlive(), "the forwarder's read gave up");
        assertEquals(Optional.empty(), owner.get());
        assertFalse(directory.isBrokerReachable(Duration.ofHours(1)));
    }

    /** Whether {@code thread} is in {@code ownerOf}, parked in the admin client's future for the broker's answer. */
    private static boolean isWaitingForTheBroker(Thread thread) {
        List<StackTraceElement> stack = Arrays.asList(thread.getStackTrace());
        return thread.getState() == Thread.State.TIMED_WAITING
                && stack.stream().anyMatch(frame -> frame.getClassName().equals(OwnerDirectory.class.getName())
                        && frame.getMethodName().equals("ownerOf"))
                && stack.stream().anyMatch(frame -> frame.getClassName().startsWith("org.apache.kafka.common.internals.KafkaFuture"));
    }
}
