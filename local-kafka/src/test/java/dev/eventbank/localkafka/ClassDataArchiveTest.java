package dev.eventbank.localkafka;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@link ClassDataArchive} keeps of what a JVM wrote, without a JVM: the files a JVM would leave, made here. */
class ClassDataArchiveTest {

    /** The first bytes of a dynamic archive as HotSpot writes them on x86 and ARM (little-endian 0xf00baba8). */
    private static final byte[] MAGIC = {(byte) 0xa8, (byte) 0xab, 0x0b, (byte) 0xf0, 1, 2, 3, 4};

    @Test
    void shouldPublishOnlyAWholeArchiveOfAJvmThatEndedByItself(@TempDir Path dir) throws Exception {
        Path jar = Files.writeString(dir.resolve("app.jar"), "a jar");

        // a JVM killed while writing (137), or one that left a file without the header: nothing kept
        assertEquals(List.of(), publish(jar, MAGIC, 137));
        assertEquals(List.of(), publish(jar, new byte[0], 0));
        assertEquals(List.of(), publish(jar, new byte[]{0, 0, 0, 0, 9, 9}, 143));

        // a whole archive from a JVM stopped by SIGTERM: published under the jar's archive name, and current
        List<Path> published = publish(jar, MAGIC, 143);
        assertEquals(1, published.size(), published.toString());
        assertTrue(published.get(0).getFileName().toString().startsWith("app.jar.service."), published.toString());
        ClassDataArchive next = ClassDataArchive.of(jar, "service", "next");
        assertEquals(List.of("-Xlog:cds*=off", "-Xlog:class+path=off", "-XX:SharedArchiveFile=" + next.file()),
                next.jvmOptions());
    }

    @Test
    void shouldNotPublishAnArchiveOfAJarThatChangedMeanwhile(@TempDir Path dir) throws Exception {
        Path jar = Files.writeString(dir.resolve("app.jar"), "a jar");
        ClassDataArchive archive = ClassDataArchive.of(jar, "service", "writer");
        Files.write(beingWritten(archive), MAGIC);
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 5_000));

        archive.publish(0);

        assertEquals(List.of(), jsaFiles(dir));
    }

    @Test
    void shouldDeleteWhatWritersOfGoneProcessesLeftAndKeepALiveOnes(@TempDir Path dir) throws Exception {
        Path jar = Files.writeString(dir.resolve("app.jar"), "a jar");
        String archive = ClassDataArchive.of(jar, "service", "probe").file().getFileName().toString();
        long gone = ProcessHandle.current().pid() + 4_000_000; // above Linux's pid_max
        Path orphan = Files.writeString(dir.resolve(archive + ".writer." + gone + ".1.tmp"), "x");
        Path live = Files.writeString(dir.resolve(archive + ".writer." + ProcessHandle.current().pid() + ".2.tmp"), "x");

        ClassDataArchive.of(jar, "service", "next");

        assertFalse(Files.exists(orphan));
        assertTrue(Files.exists(live));
    }

    /** What stays of {@code content} written as a JVM that exited with {@code exitValue}: the archive files left. */
    private static List<Path> publish(Path jar, byte[] content, int exitValue) throws Exception {
        ClassDataArchive archive = ClassDataArchive.of(jar, "service", "writer");
        Files.write(beingWritten(archive), content);
        archive.publish(exitValue);
        return jsaFiles(jar.getParent());
    }

    private static Path beingWritten(ClassDataArchive archive) {
        String option = archive.jvmOptions().get(2);
        assertTrue(option.startsWith("-XX:ArchiveClassesAtExit="), option);
        return Path.of(option.substring("-XX:ArchiveClassesAtExit=".length()));
    }

    private static List<Path> jsaFiles(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(file -> file.toString().contains(".jsa")).toList();
        }
    }
}
