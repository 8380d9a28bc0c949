package dev.eventbank.localstack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServiceProcessTest {

    @Test
    void aServiceThatExitsDuringStartupIsReportedWithTheEndOfItsLog(@TempDir Path dir) throws Exception {
        // a real child JVM that fails at once: the JVM says why on its output, which goes to the log
        Path notAJar = Files.writeString(dir.resolve("broken.jar"), "not a jar");
        Path log = dir.resolve("logs/broken.log");
        try (ServiceProcess service = ServiceProcess.start("broken-service", notAJar, 1, Map.of(), Map.of(), log)) {
            IllegalStateException failure = assertThrows(IllegalStateException.class,
                    () -> service.awaitHealthy(Duration.ofSeconds(60)));
            assertTrue(failure.getMessage().startsWith("broken-service exited with 1 during startup, see " + log),
                    failure.getMessage());
            assertTrue(failure.getMessage().contains("Invalid or corrupt jarfile"), failure.getMessage());
        }
    }

    @Test
    void lastLinesAreTheEndOfTheFileIndented(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("a.log"),
                IntStream.rangeClosed(1, 30).mapToObj(i -> "line " + i).collect(Collectors.joining("\n", "", "\n")));
        assertEquals("  line 29\n  line 30\n", ServiceProcess.lastLines(file, 2));
        assertEquals("  (the log is empty)", ServiceProcess.lastLines(Files.writeString(dir.resolve("empty.log"), ""), 5));
        assertTrue(ServiceProcess.lastLines(dir.resolve("missing.log"), 5).startsWith("  (the log could not be read: "));
    }
}
