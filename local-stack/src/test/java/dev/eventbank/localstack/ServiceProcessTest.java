package dev.eventbank.localstack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.ToolProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServiceProcessTest {

    @Test
    void aServiceThatExitsDuringStartupIsReportedWithTheEndOfItsLog(@TempDir Path dir) throws Exception {
        // a real child JVM that fails at once: the JVM says why on its output, which goes to the log
        Path notAJar = Files.writeString(dir.resolve("broken.jar"), "not a jar");
        Path log = dir.resolve("logs/broken.log");
        try (ServiceProcess service = ServiceProcess.start("broken-service", notAJar, 1, Map.of(), Map.of(), log, false)) {
            IllegalStateException failure = assertThrows(IllegalStateException.class,
                    () -> service.awaitHealthy(Duration.ofSeconds(60)));
            assertTrue(failure.getMessage().startsWith("broken-service exited with 1 during startup, see " + log),
                    failure.getMessage());
            assertTrue(failure.getMessage().contains("Invalid or corrupt jarfile"), failure.getMessage());
        }
    }

    @Test
    void shouldWriteTheJarsClassDataArchiveOnTheFirstStopAndMapItOnTheNextStart(@TempDir Path dir) throws Exception {
        // given: a real runnable jar whose main waits to be stopped
        Path jar = waitingJar(dir);
        Path archive = jar.resolveSibling("waiting.jar.service." + Runtime.version().toString().replaceAll("[^A-Za-z0-9.+-]", "_") + ".jsa");

        // when: a first JVM is killed while it could be writing, nothing half-written is kept
        try (ServiceProcess killed = ServiceProcess.start("killed", jar, 1, Map.of(), Map.of(), dir.resolve("killed.log"), true)) {
            awaitWaiting(killed);
            killed.kill();
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.filter(file -> file.toString().contains(".jsa")).toList());
        }

        // and: started and stopped (SIGTERM) once, then started again
        try (ServiceProcess first = ServiceProcess.start("first", jar, 1, Map.of(), Map.of(), dir.resolve("first.log"), true)) {
            assertTrue(arguments(first).stream().anyMatch(argument -> argument.startsWith("-XX:ArchiveClassesAtExit=")),
                    arguments(first).toString());
            awaitWaiting(first);
        }
        assertTrue(Files.isRegularFile(archive), "no archive at " + archive);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.filter(file -> file.toString().endsWith(".tmp")).toList(), "a half-written archive was left");
        }
        // -Xshare:on: a JVM that cannot map its archive exits at once instead of running without it
        try (ServiceProcess second = ServiceProcess.start("second", jar, 1, Map.of(), Map.of("JDK_JAVA_OPTIONS", "-Xshare:on"),
                dir.resolve("second.log"), true)) {
            // then: the second JVM maps the first one's archive, and logs nothing about it
            assertTrue(arguments(second).contains("-XX:SharedArchiveFile=" + archive), arguments(second).toString());
            awaitWaiting(second);
        }
        assertEquals(List.of("waiting"), Files.readAllLines(dir.resolve("second.log")).stream()
                .filter(line -> !line.startsWith("NOTE: Picked up JDK_JAVA_OPTIONS")).toList());

        // and: a jar built after its archive makes the archive stale, so the next start writes a new one
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(archive).toMillis() + 1000));
        try (ServiceProcess third = ServiceProcess.start("third", jar, 1, Map.of(), Map.of(), dir.resolve("third.log"), true)) {
            assertTrue(arguments(third).stream().anyMatch(argument -> argument.startsWith("-XX:ArchiveClassesAtExit=")),
                    arguments(third).toString());
        }
    }

    @Test
    void shouldNotUseAnArchiveWhenClassDataSharingIsOff(@TempDir Path dir) throws Exception {
        Path jar = waitingJar(dir);
        try (ServiceProcess service = ServiceProcess.start("plain", jar, 1, Map.of(), Map.of(), dir.resolve("plain.log"), false)) {
            assertTrue(arguments(service).stream().noneMatch(argument -> argument.contains("Archive")), arguments(service).toString());
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.filter(file -> file.toString().contains(".jsa")).toList());
        }
    }

    /** Waits (up to 60 s) until the service's main has run: a JVM stopped before that may write no archive. */
    private static void awaitWaiting(ServiceProcess service) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Files.readString(service.log()).contains("waiting")) {
            assertTrue(System.nanoTime() < deadline && service.isAlive(), "no 'waiting' in " + Files.readString(service.log()));
            Thread.sleep(50);
        }
    }

    /** The command line of the service's JVM, as the kernel has it. */
    private static List<String> arguments(ServiceProcess service) {
        return List.of(ProcessHandle.of(service.pid()).orElseThrow().info().arguments().orElseThrow());
    }

    /** A runnable jar, compiled here, whose main prints "waiting" and sleeps until the JVM is stopped. */
    private static Path waitingJar(Path dir) throws IOException {
        Path sources = Files.createDirectories(dir.resolve("src"));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Path source = Files.writeString(sources.resolve("Waiting.java"),
                "public class Waiting { public static void main(String[] args) throws Exception {"
                        + " System.out.println(\"waiting\"); Thread.sleep(Long.MAX_VALUE); } }");
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(), source.toString()));
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "Waiting");
        Path jar = dir.resolve("waiting.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.putNextEntry(new JarEntry("Waiting.class"));
            out.write(Files.readAllBytes(classes.resolve("Waiting.class")));
            out.closeEntry();
        }
        return jar;
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
