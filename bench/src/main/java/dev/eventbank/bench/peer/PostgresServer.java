package dev.eventbank.bench.peer;

import dev.eventbank.bench.proc.ProcStat;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away PostgreSQL 15 cluster from Debian's package ({@code /usr/lib/postgresql/15/bin}): {@code initdb} in a
 * fresh temporary directory, the server on a free loopback port (TCP on 127.0.0.1 only, its unix socket inside the
 * directory), trust authentication, one database. {@link #close()} stops it ({@code pg_ctl stop -m fast}) and deletes
 * the directory; a JVM shutdown hook does the same if the caller never gets there.
 *
 * <p>Durability is PostgreSQL's default ({@code fsync=on}, {@code synchronous_commit=on}, {@code full_page_writes=on}):
 * a commit returns only once its WAL is flushed, as our side's 2xx comes only after a transaction committed with
 * acks=all. Only memory and connection limits are set: {@code shared_buffers=256MB} (the whole benchmark's data fits,
 * so reads never go to disk), {@code max_connections=100} (the peer's pool of 64, the token store and spare ones).
 *
 * <p>PostgreSQL refuses to run as root. When this JVM is root, every PostgreSQL binary runs through
 * {@code runuser -u postgres} (the user Debian's package creates) and the directory is handed to that user.
 *
 * <p>Limits: Linux only; needs the {@code postgresql-15} package ({@code apt-get install postgresql-15}); the server
 * is one process per connection, so {@link #postmasterPid()} alone understates its memory (see {@link #allPids()}).
 */
public final class PostgresServer implements AutoCloseable {

    private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    private static final String SERVICE_USER = "postgres";
    private static final String SUPERUSER = "postgres";

    private final Path directory;
    private final int port;
    private final String database;
    private final boolean asServiceUser;
    private final Thread shutdownHook;
    private volatile boolean stopped;

    private PostgresServer(Path directory, int port, String database, boolean asServiceUser) {
        this.directory = directory;
        this.port = port;
        this.database = database;
        this.asServiceUser = asServiceUser;
        this.shutdownHook = new Thread(this::stopQuietly, "postgres-stop");
    }

    /** Creates the cluster, starts the server, waits until it accepts connections and creates {@code database}. */
    public static PostgresServer start(String database, PrintStream progress) throws IOException, InterruptedException {
        if (!Files.isExecutable(BIN.resolve("postgres"))) {
            throw new IllegalStateException(BIN + "/postgres is missing: install Debian's package with 'apt-get install postgresql-15'");
        }
        boolean root = "0".equals(run(List.of("id", "-u"), Duration.ofSeconds(10)).trim());
        Path directory = Files.createTempDirectory("eventbank-postgres-");
        if (root) {
            // postgres must own its data directory and be able to create the socket and log beside it
            UserPrincipal owner = directory.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(SERVICE_USER);
            Files.setOwner(directory, owner);
        }
        int port = freePort();
        PostgresServer server = new PostgresServer(directory, port, database, root);
        progress.printf("peer: starting PostgreSQL 15 on 127.0.0.1:%d in %s%s%n", port, directory,
                root ? " (as user " + SERVICE_USER + ", since PostgreSQL refuses to run as root)" : "");
        Runtime.getRuntime().addShutdownHook(server.shutdownHook);
        try {
            server.initialise();
            server.startServer();
            server.awaitAcceptingConnections(Duration.ofSeconds(60));
            server.createDatabase();
            return server;
        } catch (IOException | InterruptedException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** JDBC URL of the benchmark database (trust authentication, no password). */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public String user() {
        return SUPERUSER;
    }

    public int port() {
        return port;
    }

    /** The postmaster's pid, from {@code postmaster.pid}. */
    public long postmasterPid() {
        try {
            return Long.parseLong(Files.readAllLines(directory.resolve("data/postmaster.pid")).get(0).trim());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The postmaster and all its children (one backend per connection, plus the WAL writer, checkpointer ...). */
    public List<Long> allPids() {
        long postmaster = postmasterPid();
        List<Long> pids = new ArrayList<>();
        pids.add(postmaster);
        pids.addAll(ProcStat.children(postmaster));
        return pids;
    }

    /**
     * The memory of the whole cluster in MB: the sum of each process's proportional set size (PSS), so the shared
     * buffers and code shared by all backends count once, not once per process as summed RSS would.
     */
    public long proportionalMegabytes() {
        long kilobytes = 0;
        for (long pid : allPids()) {
            try {
                kilobytes += Files.readAllLines(Path.of("/proc", String.valueOf(pid), "smaps_rollup")).stream()
                        .filter(line -> line.startsWith("Pss:"))
                        .mapToLong(line -> Long.parseLong(line.replaceAll("\\D", "")))
                        .findFirst().orElse(0);
            } catch (IOException | RuntimeException e) {
                // the process ended while we looked
            }
        }
        return kilobytes / 1024;
    }

    private void initialise() throws IOException, InterruptedException {
        Path data = directory.resolve("data");
        // --no-sync only skips flushing initdb's own template files; the running server keeps fsync=on
        pg(List.of(BIN.resolve("initdb").toString(), "-D", data.toString(), "-U", SUPERUSER, "--auth=trust",
                "-E", "UTF8", "--locale=C", "--no-sync"), Duration.ofSeconds(120));
        String settings = String.join("\n",
                "",
                "# eventbank peer benchmark: durability stays at PostgreSQL's defaults (fsync, synchronous_commit on)",
                "listen_addresses = '127.0.0.1'",
                "port = " + port,
                "unix_socket_directories = '" + directory + "'",
                "max_connections = 100",
                "shared_buffers = 256MB",
                "logging_collector = off",
                "log_min_messages = warning",
                "");
        if (asServiceUser) {
            // the conf file belongs to postgres; append through it so ownership stays right
            pg(List.of("sh", "-c", "cat >> '" + data.resolve("postgresql.conf") + "'"), Duration.ofSeconds(10), settings);
        } else {
            Files.writeString(data.resolve("postgresql.conf"), settings, StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.APPEND);
        }
    }

    private void startServer() throws IOException, InterruptedException {
        // -w: pg_ctl itself waits until the server is up (bounded by -t); we then check with a real connection
        pg(List.of(BIN.resolve("pg_ctl").toString(), "start", "-D", directory.resolve("data").toString(),
                "-l", directory.resolve("postgres.log").toString(), "-w", "-t", "60"), Duration.ofSeconds(90));
    }

    private void awaitAcceptingConnections(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            try (Connection ignored = DriverManager.getConnection(adminUrl(), SUPERUSER, "")) {
                return;
            } catch (SQLException e) {
                last = e;
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("PostgreSQL not accepting connections after " + timeout.toSeconds()
                + " s, see " + directory.resolve("postgres.log"), last);
    }

    private void createDatabase() {
        try (Connection connection = DriverManager.getConnection(adminUrl(), SUPERUSER, "");
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + database);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + database, e);
        }
    }

    private String adminUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** Stops the server ({@code pg_ctl stop -m fast}: open transactions roll back) and deletes the directory. */
    @Override
    public void close() {
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook is running or has run
        }
    }

    private synchronized void stopQuietly() {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            if (Files.exists(directory.resolve("data/postmaster.pid"))) {
                pg(List.of(BIN.resolve("pg_ctl").toString(), "stop", "-D", directory.resolve("data").toString(),
                        "-m", "fast", "-w", "-t", "60"), Duration.ofSeconds(90));
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("peer: could not stop PostgreSQL in " + directory + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteRecursively(directory);
    }

    private String pg(List<String> command, Duration timeout) throws IOException, InterruptedException {
        return pg(command, timeout, null);
    }

    /** Runs a PostgreSQL tool, as {@code postgres} when we are root. */
    private String pg(List<String> command, Duration timeout, String input) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asServiceUser) {
            full.addAll(List.of("runuser", "-u", SERVICE_USER, "--"));
        }
        full.addAll(command);
        return run(full, timeout, input);
    }

    private static String run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        return run(command, timeout, null);
    }

    private static String run(List<String> command, Duration timeout, String input) throws IOException, InterruptedException {
        Path output = Files.createTempFile("eventbank-postgres-cmd-", ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            // run from a directory the service user can read, or tools complain about the current directory
            builder.directory(Path.of("/").toFile());
            Process process = builder.start();
            if (input != null) {
                process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
            }
            process.getOutputStream().close();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in " + timeout.toSeconds() + " s");
            }
            String text = Files.readString(output);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + process.exitValue() + ": " + text.trim());
            }
            return text;
        } finally {
            Files.deleteIfExists(output);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    // best effort: a temp directory
                }
            });
        } catch (IOException e) {
            System.err.println("peer: could not delete " + root + ": " + e.getMessage());
        }
    }
}
