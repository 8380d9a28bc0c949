package dev.eventbank.localstack;

import dev.eventbank.localkafka.ChildProcesses;
import dev.eventbank.localkafka.ClassDataArchive;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One of our services run from its fat jar as a child JVM, configured with {@code -D} properties and, for secrets,
 * environment variables (readable by the owner only, unlike a command line), its output appended to a log file, and
 * judged healthy by its {@code GET /health} answering UP.
 */
final class ServiceProcess implements AutoCloseable {

    /** How much of a service's log a failed start shows. */
    private static final int LOG_LINES_ON_FAILURE = 20;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private final String name;
    private final int port;
    private final Path log;
    private final Process process;
    /** The jar's class-data-sharing archive this JVM maps or writes, or null. */
    private final ClassDataArchive archive;
    private volatile boolean paused;

    private ServiceProcess(String name, int port, Path log, Process process, ClassDataArchive archive) {
        this.name = name;
        this.port = port;
        this.log = log;
        this.process = process;
        this.archive = archive;
    }

    /**
     * Starts the service {@code name} from {@code jar}, answering HTTP on {@code port}.
     *
     * @param classDataSharing whether the JVM shares the jar's classes through its {@link ClassDataArchive}
     *     ({@code <jar>.service.<Java version>.jsa}): the first JVM of a jar writes it when it stops, the next ones
     *     map it and start faster. Only for a jar that stays where it is (the build's, not {@code bin/local-stack}'s copies in a fresh
     *     folder per run, whose archive would never be used again).
     * @throws IOException if the log's folder cannot be made or the process cannot be started
     * @throws IllegalStateException if {@code jar} is missing
     */
    static ServiceProcess start(String name, Path jar, int port, Map<String, String> properties,
                                Map<String, String> environment, Path log, boolean classDataSharing)
            throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build it with 'mvn -DskipTests package'");
        }
        Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xms64m");
        command.add("-Xmx512m");
        command.add("-XX:+ExitOnOutOfMemoryError");
        ClassDataArchive archive = classDataSharing ? ClassDataArchive.of(jar, "service", name) : null;
        if (archive != null) {
            command.addAll(archive.jvmOptions());
        }
        command.add("-Dmicronaut.server.port=" + port);
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-jar");
        command.add(jar.toString());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        Process process = builder.start();
        return new ServiceProcess(name, port, log, process, archive);
    }

    String name() {
        return name;
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    String url() {
        return "http://localhost:" + port;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits until {@code /health} answers 200 with status UP; fails early if the process exits. */
    void awaitHealthy(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " during startup, see " + log
                        + "; its last lines:\n" + lastLines(log, LOG_LINES_ON_FAILURE));
            }
            try {
                HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().contains("\"UP\"")) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
            sleep(250);
        }
        throw new IllegalStateException(name + " not healthy after " + timeout.toSeconds() + " s, see " + log
                + "; its last lines:\n" + lastLines(log, LOG_LINES_ON_FAILURE));
    }

    /**
     * The last {@code count} lines of {@code file} (read from its last 64 KB), each indented by two spaces, or a note
     * saying why there are none. A failed start names its cause there, and a stack in a temporary directory (the
     * benchmarks', the tests') deletes the file when it closes.
     */
    static String lastLines(Path file, int count) {
        try (java.io.RandomAccessFile in = new java.io.RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            int size = (int) Math.min(length, 64 * 1024);
            byte[] tail = new byte[size];
            in.seek(length - size);
            in.readFully(tail);
            List<String> lines = new String(tail, java.nio.charset.StandardCharsets.UTF_8).lines().toList();
            if (lines.isEmpty()) {
                return "  (the log is empty)";
            }
            StringBuilder out = new StringBuilder();
            for (String line : lines.subList(Math.max(0, lines.size() - count), lines.size())) {
                out.append("  ").append(line).append('\n');
            }
            return out.toString();
        } catch (IOException e) {
            return "  (the log could not be read: " + e.getMessage() + ")";
        }
    }

    /** SIGKILL: the process gets no chance to commit, flush or leave its group, as in a crash. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * SIGSTOP: every thread of the JVM freezes where it is (no heartbeats, no commits, no replies), as in a long GC
     * pause or a stalled VM, while the kernel still accepts connections into its socket backlog. For zombie tests;
     * {@link #resume} lets it run on from where it stopped.
     */
    void pause() {
        signal("STOP");
        paused = true;
    }

    /** SIGCONT: a {@link #pause paused} process runs on, unaware that time has passed. */
    void resume() {
        signal("CONT");
        paused = false;
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                kill.destroyForcibly();
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed: "
                        + new String(kill.getInputStream().readAllBytes()).trim());
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not run kill -" + signal + " for " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending SIG" + signal + " to " + name, e);
        }
    }

    /**
     * SIGTERM, so the service closes its Kafka clients cleanly; SIGKILL if it has not exited in 30 s. A paused
     * process is resumed first, or it could not act on the SIGTERM.
     */
    @Override
    public void close() {
        closeAll(List.of(this));
    }

    /**
     * {@link #close} for several services at once: SIGTERM to all of them together, so the stop takes as long as
     * the slowest, not the sum ({@link ChildProcesses#stopAll}).
     */
    static void closeAll(List<ServiceProcess> services) {
        for (ServiceProcess service : services) {
            if (service.paused && service.process.isAlive()) {
                try {
                    service.resume();
                } catch (RuntimeException e) {
                    // still stopped below: SIGKILL ends a process that cannot act on its SIGTERM
                    System.err.println("local-stack: could not resume " + service.name + " before stopping it: "
                            + e.getMessage());
                }
            }
        }
        ChildProcesses.stopAll(services.stream().map(service -> service.process).toList());
        for (ServiceProcess service : services) {
            if (service.archive != null) {
                service.archive.publishAfter(service.process);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
