package dev.eventbank.localstack;

import dev.eventbank.localkafka.LocalKafkaBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How {@code bin/local-stack} fails: a wrong command line or a start that cannot succeed ends with one line saying
 * why and a non-zero status, never a stack trace, and never with the launcher's clients talking to another stack's
 * broker. Real sockets, files and child JVMs; the one broker here fails at once, so each test takes seconds.
 */
class LauncherFailuresTest {

    @Test
    void shouldRefuseAStartWhosePortIsTakenBeforeStartingAnything(@TempDir Path dir) throws Exception {
        // given: the Kafka port held by another process (here a socket of this JVM), as by another local stack
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            StackPorts free = StackPorts.free();
            StackPorts ports = new StackPorts(taken.getLocalPort(), free.kafkaController(), free.registry(),
                    free.command(), free.query(), free.projection());
            ByteArrayOutputStream progress = new ByteArrayOutputStream();

            // when
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> LocalStack.start(
                    dir, dir.resolve("data"), ports, 1, new PrintStream(progress, true, StandardCharsets.UTF_8)));

            // then: the port, what it is for and what to do; nothing was started, so nothing is stopped or said
            assertEquals("port " + taken.getLocalPort() + " (Kafka) is in use: is another local stack running? Stop it,"
                    + " or run this one with --data-dir DIR in a network namespace of its own (README, \"Run it\")",
                    refused.getMessage());
            assertEquals("", progress.toString(StandardCharsets.UTF_8));
            assertFalse(Files.exists(dir.resolve("data/kafka")), "the broker was started");

            // and the launcher says it in one line and exits 1
            assertEquals(List.of("local-stack: " + refused.getMessage()), report(refused, false, 1));

            // and the data directory is free again: the next start fails on the port, not on the lock
            IllegalStateException again = assertThrows(IllegalStateException.class, () -> LocalStack.start(
                    dir, dir.resolve("data"), ports, 1, new PrintStream(new ByteArrayOutputStream())));
            assertEquals(refused.getMessage(), again.getMessage());
        }
    }

    @Test
    void aBrokerThatCannotBindItsPortIsReportedInOneLineWithTheReasonFromItsLog(@TempDir Path dir) throws Exception {
        // given: the controller port taken, as by another stack's broker; the broker's JVM gets this module's class
        // path, so it logs as the launcher's does (log4j2.xml)
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            // when: the broker alone (LocalStack checks the ports before it starts one)
            IllegalStateException exited = assertThrows(IllegalStateException.class, () -> LocalKafkaBroker.start(
                    dir.resolve("kafka"), LocalKafkaBroker.freePort(), taken.getLocalPort()).close());

            // then
            assertEquals(List.of("local-stack: the Kafka broker exited during startup (exit 1): Socket server failed to"
                    + " bind to 127.0.0.1:" + taken.getLocalPort() + ": Address already in use; see "
                    + dir.resolve("kafka/broker.log")), report(exited, false, 1));
        }
    }

    @Test
    void aStackWhoseBrokerExitsStopsWhatStartedInOrderAndSaysWhy(@TempDir Path dir) throws Exception {
        // given: a data directory whose broker storage is broken (its meta.properties without a cluster id)
        Path data = dir.resolve("data");
        Files.createDirectories(data.resolve("kafka/kafka-logs"));
        Files.writeString(data.resolve("kafka/kafka-logs/meta.properties"), "version=1\nnode.id=1\n");
        ByteArrayOutputStream progress = new ByteArrayOutputStream();

        // when
        IllegalStateException failed = assertThrows(IllegalStateException.class, () -> LocalStack.start(
                dir, data, StackPorts.free(), 1, new PrintStream(progress, true, StandardCharsets.UTF_8)));

        // then: the broker's exit, the reason from its log and the log; "stopping" before "stopped after"
        List<String> said = report(failed, false, 1);
        assertEquals(1, said.size(), String.join("\n", said));
        assertTrue(said.get(0).matches("local-stack: the Kafka broker exited during startup \\(exit \\d+\\): .+; see "
                + java.util.regex.Pattern.quote(data.resolve("kafka/broker.log").toString())), said.get(0));
        List<String> lines = progress.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(4, lines.size(), String.join("\n", lines));
        assertEquals("local-stack: data in " + data, lines.get(0));
        assertTrue(lines.get(1).startsWith("local-stack: starting Kafka "), lines.get(1));
        assertEquals("local-stack: stopping ...", lines.get(2));
        assertTrue(lines.get(3).startsWith("local-stack: stopped after "), lines.get(3));
    }

    @Test
    void shouldNameEveryPortInUse() throws Exception {
        try (ServerSocket first = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             ServerSocket second = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Map<Integer, String> toBind = new java.util.LinkedHashMap<>();
            toBind.put(first.getLocalPort(), "Kafka");
            toBind.put(StackPorts.free().registry(), "schema-registry");
            toBind.put(second.getLocalPort(), "query-service");

            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> LocalStack.requireFree(toBind));

            assertTrue(refused.getMessage().startsWith("ports " + first.getLocalPort() + " (Kafka), "
                    + second.getLocalPort() + " (query-service) are in use: "), refused.getMessage());
        }
    }

    @Test
    void shouldLeaveNoDataDirectoryBehindWhenItsPortsAreInUse(@TempDir Path parent) throws Exception {
        // given: a data directory that does not exist yet, and the Kafka port taken (another stack's broker)
        Path data = parent.resolve("never-used");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            StackPorts free = StackPorts.free();
            StackPorts ports = new StackPorts(taken.getLocalPort(), free.kafkaController(), free.registry(),
                    free.command(), free.query(), free.projection());

            // when
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> LocalStack.start(
                    parent, data, ports, 1, new PrintStream(new ByteArrayOutputStream())));

            // then: refused, and the directory it made is gone again (it held a .lock file)
            assertTrue(refused.getMessage().startsWith("port " + taken.getLocalPort() + " (Kafka) is in use"),
                    refused.getMessage());
            assertFalse(Files.exists(data), "left behind: " + data);
        }
        // and: a directory that existed before is kept
        Files.createDirectories(data);
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            StackPorts free = StackPorts.free();
            StackPorts ports = new StackPorts(taken.getLocalPort(), free.kafkaController(), free.registry(),
                    free.command(), free.query(), free.projection());
            assertThrows(IllegalStateException.class, () -> LocalStack.start(parent, data, ports, 1,
                    new PrintStream(new ByteArrayOutputStream())));
            assertTrue(Files.isDirectory(data));
        }
    }

    @Test
    void shouldRefuseASecondStackOnTheSameDataDirectoryInOneLine(@TempDir Path dir) throws Exception {
        // given: the data directory's lock held, here by this JVM, as by a running stack
        try (FileChannel channel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = channel.lock()) {
            // when
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> LocalStack.start(
                    dir, dir, StackPorts.free(), 1, new PrintStream(new ByteArrayOutputStream())));

            // then
            assertEquals("another local stack is running on " + dir + ": stop it, or give this one a --data-dir of its own",
                    refused.getMessage());
        }
    }

    @Test
    void shouldSayWhatIsWrongWithAnOptionInOneLine() {
        Path home = Path.of("/repo");

        assertEquals("--partitions needs a whole number from 1 up, not 'abc'", usageError("--partitions", "abc"));
        assertEquals("--partitions needs a whole number from 1 up, not '0'", usageError("--partitions", "0"));
        assertEquals("--partitions needs a whole number from 1 up, not '99999999999'", usageError("--partitions", "99999999999"));
        assertEquals("--partitions needs a value", usageError("--partitions"));
        assertEquals("--data-dir needs a value", usageError("--data-dir"));
        assertEquals("--data-dir needs a directory, not ''", usageError("--data-dir", ""));
        assertEquals("--data-dir needs a directory, not 'a\0b'", usageError("--data-dir", "a\0b"));
        assertEquals("unknown option --bogus", usageError("--bogus"));

        assertEquals(new LocalStack.Options(home.resolve(".local-stack-data"), 12, false),
                LocalStack.Options.parse(new String[0], null, home));
        assertEquals(new LocalStack.Options(Path.of("/env"), 12, false),
                LocalStack.Options.parse(new String[0], "/env", home));
        assertEquals(new LocalStack.Options(Path.of("/other"), 3, false),
                LocalStack.Options.parse(new String[]{"--data-dir", "/other", "--partitions", "3"}, "/env", home));
        assertTrue(LocalStack.Options.parse(new String[]{"--help"}, null, home).help());
    }

    @Test
    void shouldStayQuietAfterASignalAndShowTheStackTraceOnlyOfAnUnexpectedFailure() {
        // Ctrl-C or SIGTERM stopped the start: the JVM is exiting with the signal's status, nothing to add
        assertEquals(List.of(), report(new IllegalStateException("the local stack is stopping: query-service not started"), true, -1));

        // a file system's failure: its kind and its path
        assertEquals(List.of("local-stack: could not start: AccessDeniedException: /data/.lock"),
                report(new java.nio.file.AccessDeniedException("/data/.lock"), false, 1));
        assertEquals(List.of("local-stack: could not start: AccessDeniedException: /data/security"),
                report(new java.io.UncheckedIOException(new java.nio.file.AccessDeniedException("/data/security")), false, 1));

        // a bug: one line, then the trace to report it with
        List<String> bug = report(new NullPointerException("oops"), false, 1);
        assertEquals("local-stack: could not start: java.lang.NullPointerException: oops (a bug; its stack trace follows)", bug.get(0));
        assertTrue(bug.size() > 2 && bug.get(2).startsWith("\tat "), String.join("\n", bug));
    }

    @Test
    void theLauncherExitsNonZeroWithOneLineForAWrongOptionAndForAnotherStacksDataDirectory(@TempDir Path dir) throws Exception {
        // the launcher's own JVM (its main, as bin/local-stack runs it), so that the exit status is the real one
        Launch badValue = launch(dir, "--partitions", "abc");
        assertEquals(2, badValue.status(), badValue.toString());
        assertEquals(List.of("local-stack: --partitions needs a whole number from 1 up, not 'abc' (try --help)"), badValue.err(), badValue.toString());

        try (FileChannel channel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = channel.lock()) {
            Launch locked = launch(dir, "--data-dir", dir.toString());
            assertEquals(1, locked.status(), locked.toString());
            assertEquals(List.of("local-stack: another local stack is running on " + dir
                    + ": stop it, or give this one a --data-dir of its own"), locked.err(), locked.toString());
            assertEquals(List.of(), locked.out(), locked.toString());
        }
    }

    private static String usageError(String... args) {
        return assertThrows(IllegalArgumentException.class,
                () -> LocalStack.Options.parse(args, null, Path.of("/repo"))).getMessage();
    }

    /** {@link LocalStack#reportFailedStart}'s lines, after checking its status ({@code -1}: none, a signal's exit). */
    private static List<String> report(Exception failure, boolean signalled, int expectedStatus) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        OptionalInt status = LocalStack.reportFailedStart(failure, signalled, new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(expectedStatus, status.orElse(-1));
        return err.toString(StandardCharsets.UTF_8).lines().toList();
    }

    private record Launch(int status, List<String> out, List<String> err) {
    }

    private static Launch launch(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-Deventbank.home=" + dir,
                "-cp", System.getProperty("java.class.path"), LocalStack.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(dir.resolve("launcher.out").toFile())
                .redirectError(dir.resolve("launcher.err").toFile());
        // the build's JDK_JAVA_OPTIONS would add the java launcher's own "Picked up ..." line to standard error
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("LOCAL_STACK_DATA");
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the launcher did not exit within 60 s: " + String.join(" ", command));
        }
        return new Launch(process.exitValue(), Files.readAllLines(dir.resolve("launcher.out")),
                Files.readAllLines(dir.resolve("launcher.err")));
    }
}
