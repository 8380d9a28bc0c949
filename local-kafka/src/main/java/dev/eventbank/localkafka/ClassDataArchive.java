package dev.eventbank.localkafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;

/**
 * The dynamic class-data-sharing archive (JDK 13+, JEP 350) of one jar that our child JVMs run (the broker, the local
 * stack's services): the classes a run of the jar loaded, parsed and verified, which a later JVM maps instead of doing
 * that work again, most of a JVM's start on this project's small machines (a local stack starts a broker and four
 * services on two cores, and the tests start a dozen stacks). Our own code because neither Kafka, Micronaut nor Maven
 * offers this for a child JVM.
 *
 * <p>The archive lives beside the jar ({@code <jar>.<name>.<Java version>.jsa}, since an archive only maps into
 * the JVM build that wrote it); the first JVM of a jar writes it when it exits (SIGTERM included, not SIGKILL) under a
 * name of its own, and {@link #publish} renames it into place only if that JVM ended by itself, the file starts with
 * a dynamic archive's magic number (a JVM killed while writing leaves an empty or headless file: the header is
 * written last) and the jar is the one the JVM started with. A jar written after its archive makes the archive stale,
 * and the next JVM writes a new one. The JVM itself checks the archive against the jar (path, size, modification time
 * to the second) and runs without it if they differ; its warnings about that, and about classes it cannot archive,
 * are switched off (they are not the service's to log). Only for a jar that stays where it is: an archive beside a
 * copy made for one run would never be used again. A JVM without a base archive of its own (started with
 * {@code -Xshare:off}, or a jlink image without {@code classes.jsa}) cannot write one and exits at start.
 */
public final class ClassDataArchive {

    /** The first four bytes of a dynamic archive of JDK 17 and later (HotSpot's {@code CDS_DYNAMIC_ARCHIVE_MAGIC}). */
    private static final int DYNAMIC_ARCHIVE_MAGIC = 0xf00baba8;
    /** A JVM that ended on SIGTERM exits with 128 + 15. */
    private static final int EXIT_ON_SIGTERM = 143;

    private final Path archive;
    /** Where the JVM writes the archive as it exits, or null when it maps the existing one. */
    private final Path beingWritten;
    private final Path jar;
    /** The jar's size and modification time when the JVM started: the ones the archive it writes will expect. */
    private final long jarSize;
    private final FileTime jarTime;

    private ClassDataArchive(Path archive, Path beingWritten, Path jar) throws IOException {
        this.archive = archive;
        this.beingWritten = beingWritten;
        this.jar = jar;
        this.jarSize = Files.size(jar);
        this.jarTime = Files.getLastModifiedTime(jar);
    }

    /**
     * The archive {@code <jar>.<name>.<Java version>.jsa} of a JVM that runs {@code jar} alone on its class path.
     * Deletes what writers of this archive in processes that are gone left behind (a harness killed before its
     * {@link #publish}).
     *
     * @param writer names the JVM, without dots, so that two JVMs of one jar starting at once never write one file
     * @throws IOException if the jar's or the archive's time cannot be read
     */
    public static ClassDataArchive of(Path jar, String name, String writer) throws IOException {
        Path archive = jar.resolveSibling(jar.getFileName() + "." + name + "."
                + Runtime.version().toString().replaceAll("[^A-Za-z0-9.+-]", "_") + ".jsa");
        deleteOrphans(archive);
        if (isCurrent(archive, jar)) {
            return new ClassDataArchive(archive, null, jar);
        }
        return new ClassDataArchive(archive, archive.resolveSibling(archive.getFileName() + "." + writer + "."
                + ProcessHandle.current().pid() + "." + System.nanoTime() + ".tmp"), jar);
    }

    /** Deletes {@code <archive>.<writer>.<pid>.<nanos>.tmp} files whose pid is no live process. */
    private static void deleteOrphans(Path archive) {
        String prefix = archive.getFileName() + ".";
        try (java.util.stream.Stream<Path> siblings = Files.list(archive.toAbsolutePath().getParent())) {
            for (Path file : siblings.toList()) {
                String fileName = file.getFileName().toString();
                if (!fileName.startsWith(prefix) || !fileName.endsWith(".tmp")) {
                    continue;
                }
                String[] parts = fileName.substring(prefix.length()).split("\\.");
                try {
                    long pid = Long.parseLong(parts[parts.length - 3]);
                    if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                        continue;
                    }
                } catch (RuntimeException notOurs) {
                    continue;
                }
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // left for mvn clean: an orphan only takes room
        }
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
     * {@link #publish(int)} for the JVM of {@code process}, once it has exited; nothing while it still runs (a stop
     * that gave up on it).
     */
    public void publishAfter(Process process) {
        if (!process.isAlive()) {
            publish(process.exitValue());
        }
    }

    /**
     * Once the JVM has exited: makes the archive it wrote the jar's, in one atomic rename so that a JVM starting
     * meanwhile never maps half a file; or deletes what it wrote when that cannot be a usable archive (see the class
     * comment). Does nothing when the JVM mapped an archive.
     *
     * @param exitValue the JVM's exit status: 0, or 143 after SIGTERM, for a JVM that wrote its archive in full
     */
    void publish(int exitValue) {
        if (beingWritten == null || !Files.isRegularFile(beingWritten)) {
            return;
        }
        try {
            if ((exitValue != 0 && exitValue != EXIT_ON_SIGTERM) || !startsWithMagic(beingWritten)
                    || Files.size(jar) != jarSize || !Files.getLastModifiedTime(jar).equals(jarTime)) {
                Files.deleteIfExists(beingWritten);
                return;
            }
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

    private static boolean startsWithMagic(Path file) throws IOException {
        try (java.io.DataInputStream in = new java.io.DataInputStream(Files.newInputStream(file))) {
            // HotSpot writes the header in the machine's byte order: little-endian on x86 and ARM
            return Integer.reverseBytes(in.readInt()) == DYNAMIC_ARCHIVE_MAGIC;
        } catch (java.io.EOFException tooShort) {
            return false;
        }
    }
}
