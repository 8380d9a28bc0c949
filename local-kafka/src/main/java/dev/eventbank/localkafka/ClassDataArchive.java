package dev.eventbank.localkafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The dynamic class-data-sharing archive (JDK 13+, JEP 350) of one jar that our child JVMs run (the broker, the local
 * stack's services): the classes a run of the jar loaded, parsed and verified, which a later JVM maps instead of doing
 * that work again, most of a JVM's start on this project's small machines (a local stack starts a broker and four
 * services on two cores, and the tests start a dozen stacks). Our own code because neither Kafka, Micronaut nor Maven
 * offers this for a child JVM.
 *
 * <p>The archive lives beside the jar ({@code <jar>.<name>.jsa}); the first JVM of a jar writes it when it exits
 * (SIGTERM included, not SIGKILL) under a name of its own, and {@link #publish} renames it into place. A jar written
 * after its archive makes the archive stale, and the next JVM writes a new one. The JVM itself checks the archive
 * against the jar (path, size, time) and runs without it if they differ; its warnings about that, and about classes it
 * cannot archive, are switched off (they are not the service's to log). Only for a jar that stays where it is: an
 * archive beside a copy made for one run would never be used again.
 */
public final class ClassDataArchive {

    private final Path archive;
    /** Where the JVM writes the archive as it exits, or null when it maps the existing one. */
    private final Path beingWritten;

    private ClassDataArchive(Path archive, Path beingWritten) {
        this.archive = archive;
        this.beingWritten = beingWritten;
    }

    /**
     * The archive {@code <jar>.<name>.jsa} of a JVM that runs {@code jar} alone on its class path.
     *
     * @param writer names the JVM, so that two JVMs of one jar starting at once never write one file
     * @throws IOException if the jar's or the archive's time cannot be read
     */
    public static ClassDataArchive of(Path jar, String name, String writer) throws IOException {
        Path archive = jar.resolveSibling(jar.getFileName() + "." + name + ".jsa");
        if (isCurrent(archive, jar)) {
            return new ClassDataArchive(archive, null);
        }
        return new ClassDataArchive(archive, archive.resolveSibling(archive.getFileName() + "." + writer + "."
                + ProcessHandle.current().pid() + "." + System.nanoTime() + ".tmp"));
    }

    /** Whether {@code archive} exists and was written after {@code jar} was. */
    static boolean isCurrent(Path archive, Path jar) throws IOException {
        return Files.isRegularFile(archive)
                && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) > 0;
    }

    /** The archive's file, whether it exists yet or not. */
    public Path file() {
        return archive;
    }

    /** The JVM options that map the archive, or make the JVM write it as it exits. */
    public List<String> jvmOptions() {
        return List.of("-Xlog:cds*=off", "-Xlog:class+path=off",
                beingWritten == null ? "-XX:SharedArchiveFile=" + archive : "-XX:ArchiveClassesAtExit=" + beingWritten);
    }

    /**
     * Once the JVM has exited: makes the archive it wrote the jar's, in one atomic rename so that a JVM starting
     * meanwhile never maps half a file. Does nothing when the JVM mapped an archive, or wrote none (killed).
     */
    public void publish() {
        if (beingWritten == null || !Files.isRegularFile(beingWritten)) {
            return;
        }
        try {
            Files.move(beingWritten, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // the next start writes another; a failed rename only costs that start its speed
            try {
                Files.deleteIfExists(beingWritten);
            } catch (IOException ignored) {
                // left beside the jar, in a build's target folder that mvn clean empties
            }
        }
    }
}
