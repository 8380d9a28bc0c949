package dev.eventbank.localkafka;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ChildProcesses} on real child processes: shells that act on their SIGTERM as a JVM's shutdown hooks do. */
class ChildProcessesTest {

    @Test
    void shouldSignalEveryProcessBeforeWaitingForAny(@TempDir Path dir) throws Exception {
        // given: the first exits 0 on its SIGTERM only once the second has had its own (and exits 1 after 10 s
        // without it), as when the first process's clean shutdown could only finish after the second's had begun
        Path secondSignalled = dir.resolve("second-signalled");
        Process first = shell(dir, "trap 'for i in $(seq 100); do [ -f " + secondSignalled
                + " ] && exit 0; sleep 0.1; done; exit 1' TERM");
        Process second = shell(dir, "trap 'touch " + secondSignalled + "; exit 0' TERM");

        // when
        ChildProcesses.stopAll(List.of(first, second));

        // then
        assertAll(
                () -> assertFalse(first.isAlive() || second.isAlive(), "both have exited"),
                () -> assertEquals(0, first.exitValue(), "the first saw the second signalled while it was stopping"),
                () -> assertEquals(0, second.exitValue(), "the second stopped on its SIGTERM"));
    }

    @Test
    void shouldSkipAProcessThatHasAlreadyExited(@TempDir Path dir) throws Exception {
        // given
        Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        Process running = shell(dir, "trap 'exit 0' TERM");

        // when
        ChildProcesses.stopAll(List.of(exited, running));

        // then
        assertAll(
                () -> assertEquals(0, exited.exitValue(), "its own exit value, not a signal's"),
                () -> assertEquals(0, running.exitValue(), "stopped on its SIGTERM"));
    }

    @Test
    void shouldKillEveryProcessStillRunningWhenTheGraceEnds(@TempDir Path dir) throws Exception {
        // given: two shells that ignore their SIGTERM
        Process first = shell(dir, "trap '' TERM");
        Process second = shell(dir, "trap '' TERM");

        // when
        ChildProcesses.stopAll(List.of(first, second), TimeUnit.MILLISECONDS.toNanos(500));

        // then: both SIGKILLed (128 + 9)
        assertAll(
                () -> assertEquals(137, first.exitValue(), "the first was killed"),
                () -> assertEquals(137, second.exitValue(), "the second was killed"));
    }

    @Test
    void shouldKillAndStillWaitForTheProcessesWhenInterrupted(@TempDir Path dir) throws Exception {
        // given: a shell that ignores its SIGTERM, and a stopping thread that is interrupted
        Process stubborn = shell(dir, "trap '' TERM");
        Thread.currentThread().interrupt();

        // when
        ChildProcesses.stopAll(List.of(stubborn));

        // then: gone (SIGKILLed, not left running while the caller reuses its ports), and the interrupt kept
        boolean interrupted = Thread.interrupted();
        assertAll(
                () -> assertFalse(stubborn.isAlive(), "the process has exited"),
                () -> assertEquals(137, stubborn.exitValue(), "it was killed"),
                () -> assertTrue(interrupted, "the interrupt flag is still set"));
    }

    /** A shell that runs {@code trap} and then idles until a signal ends it; started once its trap is set. */
    private static Process shell(Path dir, String trap) throws IOException, InterruptedException {
        Path ready = Files.createTempFile(dir, "ready", "");
        Files.delete(ready);
        Process process = new ProcessBuilder("bash", "-c", trap + "; touch " + ready + "; while true; do sleep 0.1; done")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("shell.log").toFile()))
                .start();
        for (int i = 0; i < 100 && !Files.exists(ready); i++) {
            Thread.sleep(50);
        }
        if (!Files.exists(ready)) {
            process.destroyForcibly();
            throw new IllegalStateException("the shell did not set its trap within 5 s");
        }
        return process;
    }
}
