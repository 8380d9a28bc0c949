package dev.eventbank.bench.peer;

import dev.eventbank.localkafka.ChildProcesses;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The peer the benchmark compares us with: the same bank-account service on Axon Framework 4.13 with its JDBC event
 * store on PostgreSQL 15 ({@link AxonBankServer}), in its own JVM started from the bench fat jar with the same heap
 * flags as our services, against a {@link PostgresServer} started for the run. Same REST subset, so the same
 * {@code BankClient} drives it; the command and query URLs are the same base URL (one process serves both).
 *
 * <pre>{@code
 * try (AxonPeer peer = AxonPeer.start(benchJar, System.out)) {
 *     BankClient client = new BankClient(peer.commandUrl(), peer.queryUrl(), BenchTokens.forPeer());
 *     ...
 *     peer.pids(); // name -> pid, for resident memory
 * }
 * }</pre>
 *
 * <p>Limits: Linux with Debian's {@code postgresql-15}; PostgreSQL is one process per connection, so the
 * {@code postgres} entry of {@link #pids()} is the postmaster alone, see {@link #postgresPids()} for all of them.
 */
public final class AxonPeer implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    private final PostgresServer postgres;
    private final Process server;
    private final Path workDirectory;
    private final int port;

    private AxonPeer(PostgresServer postgres, Process server, Path workDirectory, int port) {
        this.postgres = postgres;
        this.server = server;
        this.workDirectory = workDirectory;
        this.port = port;
    }

    /**
     * Starts PostgreSQL, then the Axon server JVM from {@code benchJar} on a free port (it creates its schema: event,
     * snapshot, token and read-model tables), and waits until its processor runs and it answers {@code /health}.
     */
    public static AxonPeer start(Path benchJar, PrintStream progress) throws IOException, InterruptedException {
        return start(benchJar, progress, List.of());
    }

    /**
     * As {@link #start(Path, PrintStream)}, with extra {@link AxonBankServer} options, for experiments such as
     * {@code List.of("--processor", "pooled")}.
     */
    public static AxonPeer start(Path benchJar, PrintStream progress, List<String> serverOptions)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(benchJar)) {
            throw new IllegalStateException(benchJar + " is missing: build it with 'mvn -Pbench -pl bench package -DskipTests'");
        }
        long begin = System.nanoTime();
        PostgresServer postgres = PostgresServer.start("eventbank", progress);
        Path work = null;
        Process server = null;
        try {
            work = Files.createTempDirectory("eventbank-axon-peer-");
            int port = PostgresServer.freePort();
            Path log = work.resolve("axon-bank-server.log");
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            // the heap flags local-stack gives each of our services
            command.add("-Xms64m");
            command.add("-Xmx512m");
            command.add("-XX:+ExitOnOutOfMemoryError");
            // its own logging: the jar's default config is the broker's
            command.add("-Dlog4j2.configurationFile=axon-peer-log4j2.xml");
            command.add("-cp");
            command.add(benchJar.toAbsolutePath().toString());
            command.add(AxonBankServer.class.getName());
            command.addAll(List.of("--port", String.valueOf(port), "--jdbc-url", postgres.jdbcUrl(),
                    "--user", postgres.user()));
            command.addAll(serverOptions);
            progress.printf("peer: starting the Axon Framework server on port %d%n", port);
            server = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            AxonPeer peer = new AxonPeer(postgres, server, work, port);
            peer.awaitReady();
            progress.printf("peer: ready in %.1f s (PostgreSQL pid %d, Axon server pid %d)%n",
                    (System.nanoTime() - begin) / 1e9, postgres.postmasterPid(), server.pid());
            return peer;
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (server != null) {
                ChildProcesses.stop(server);
            }
            postgres.close();
            if (work != null) {
                // nothing is left in /tmp: the server's last log lines go with the exception instead
                String tail = tail(work.resolve("axon-bank-server.log"), 40);
                PostgresServer.deleteRecursively(work);
                if (!tail.isEmpty()) {
                    e.addSuppressed(new IllegalStateException("last lines of the Axon peer server's log:\n" + tail));
                }
            }
            throw e;
        }
    }

    /** Base URL of the command calls ({@code POST /accounts}, {@code POST /accounts/{id}/deposits}). */
    public String commandUrl() {
        return "http://localhost:" + port;
    }

    /** Base URL of the reads ({@code GET /accounts/{id}?minVersion=V}); the same process as the commands. */
    public String queryUrl() {
        return commandUrl();
    }

    /** The peer's database (user {@code postgres}, no password), for checks that read the event store directly. */
    public String jdbcUrl() {
        return postgres.jdbcUrl();
    }

    /** {@code axon-server} (the JVM) and {@code postgres} (the postmaster), for resident-memory figures. */
    public Map<String, Long> pids() {
        Map<String, Long> pids = new LinkedHashMap<>();
        pids.put("axon-server", server.pid());
        pids.put("postgres", postgres.postmasterPid());
        return pids;
    }

    /**
     * The peer's processes by the group their CPU is shown under: {@code Axon JVM} (the server) and {@code PostgreSQL}
     * (the postmaster, whose process tree holds every backend and background worker).
     */
    public Map<String, List<Long>> processGroups() {
        Map<String, List<Long>> groups = new LinkedHashMap<>();
        groups.put("Axon JVM", List.of(server.pid()));
        groups.put("PostgreSQL", List.of(postgres.postmasterPid()));
        return groups;
    }

    /** Every PostgreSQL process: the postmaster, a backend per pooled connection, and its background workers. */
    public List<Long> postgresPids() {
        return postgres.allPids();
    }

    /**
     * PostgreSQL's memory in MB, all its processes together by proportional set size (shared buffers counted once):
     * the fair figure to set beside the RSS of our broker, since the postmaster's own RSS leaves out its backends.
     */
    public long postgresMegabytes() {
        return postgres.proportionalMegabytes();
    }

    /** What the peer is and how it is set up, one paragraph of markdown for the report. */
    public String description() {
        return """
                Axon Framework 4.13 (no Spring, no Axon Server): event-sourced `BankAccount` aggregate, \
                `JdbcEventStorageEngine` with `PostgresEventTableFactory` and `JacksonSerializer`, a JDBC transaction \
                per command's unit of work (events committed before the 200), an Ehcache aggregate cache and a snapshot \
                every 100 events; a tracking event processor (1 thread, batches of up to 100, `JdbcTokenStore`) \
                updating an `account_view` table in the same transaction as its token; `minVersion` reads wait on a \
                signal raised after the processor's commit, up to 5 s. REST on the JDK's HTTP server (64 threads), \
                HikariCP pool of 64, one JVM with `-Xms64m -Xmx512m` like each of our services. PostgreSQL 15 \
                (Debian) with its durable defaults (`fsync=on`, `synchronous_commit=on`), `shared_buffers=256MB`, \
                `max_connections=100`, on the same disk as our broker.""";
    }

    private static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private void awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IllegalStateException("the Axon peer server exited with " + server.exitValue()
                        + " during startup");
            }
            try {
                HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().contains("\"UP\"")) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the Axon peer server not ready after " + READY_TIMEOUT.toSeconds() + " s");
    }

    /** Stops the server JVM (SIGTERM, then SIGKILL after 30 s), then PostgreSQL, and deletes the temp directories. */
    @Override
    public void close() {
        try {
            ChildProcesses.stop(server);
        } finally {
            postgres.close();
            PostgresServer.deleteRecursively(workDirectory);
        }
    }
}
