package dev.eventbank.localkafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) run as a child JVM from the
 * Apache Kafka jars on this process's classpath, after Kafka's {@code StorageTool format} (run in this JVM) once
 * per data directory.
 *
 * <p>Used by {@code bin/local-stack} (and the local stack's end-to-end tests) with its own ports and a persistent data
 * directory, and by the integration tests' broker fixture ({@code dev.eventbank.testbroker.TestBroker} in
 * {@code test-broker}) through {@link #startTemporary()} when that fixture runs the broker from the jars: one broker
 * per test JVM on free loopback ports.
 *
 * <p>Two modes: {@link #start} and {@link #startTemporary} listen in plain text without authentication (the
 * in-JVM integration tests' broker); {@link #startSecured} requires SASL on every listener and authorizes every request
 * with ACLs (bin/local-stack, its end-to-end tests and the benchmarks): {@link KafkaCredentials},
 * {@link KafkaPrincipals}.
 *
 * <p>Limits: one node, so replication factor 1 and min.insync.replicas 1; it listens on 127.0.0.1 only; SASL without
 * TLS (loopback only; docker-compose's broker is the same, on its own network).
 */
public final class LocalKafkaBroker implements AutoCloseable {

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
    private static final Map<String, String> CLUSTER_SETTINGS = clusterSettingsInOrder();

    /** How many times {@link #startTemporary} picks ports when one is taken before the broker binds it. */
    private static final int PORT_ATTEMPTS = 3;

    private final Path dataDir;
    private final int port;
    private final Process process;
    private final boolean temporary;
    /** null for a broker without authentication */
    private final KafkaCredentials credentials;
    /** The class-data-sharing archive the broker's JVM maps or writes, or null. */
    private final ClassDataArchive archive;

    private LocalKafkaBroker(Path dataDir, int port, Process process, boolean temporary, KafkaCredentials credentials,
                             ClassDataArchive archive) {
        this.dataDir = dataDir;
        this.port = port;
        this.process = process;
        this.temporary = temporary;
        this.credentials = credentials;
        this.archive = archive;
    }

    /**
     * Starts a broker in a new temporary directory on free loopback ports; {@link #close} stops it and deletes the
     * directory. For a test JVM's broker: the integration tests get theirs from the test-broker fixture
     * ({@code dev.eventbank.testbroker.TestBroker}), which starts this when it runs the broker from the jars.
     *
     * A broker that exits while starting (a port picked free, taken by another process before the broker bound it)
     * is started again on other ports, up to {@value #PORT_ATTEMPTS} times in all.
     *
     * @throws UncheckedIOException  when the directory or a port cannot be had
     * @throws IllegalStateException when the broker does not start, as {@link #start}
     */
    public static LocalKafkaBroker startTemporary() {
        for (int attempt = 1; ; attempt++) {
            Path dir = null;
            try {
                dir = Files.createTempDirectory("local-kafka-");
                return start(dir, freePort(), freePort(), true, null, null);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (ExitedDuringStartup e) {
                // most often a port picked free was taken before the broker bound it (another JVM may pick at the
                // same moment): fresh ports in a fresh directory
                if (attempt == PORT_ATTEMPTS) {
                    throw e;
                }
                System.err.println("local-kafka: " + e.getMessage() + "; trying again on other ports");
                deleteRecursively(dir);
            }
        }
    }

    /**
     * The broker's process ended before it was ready (a port in use, most often): the message has its exit status,
     * the reason its log gives ({@link #startupFailureReason}; only a broker with a logging provider on its class
     * path, as the local stack's, logs one) and the log's path.
     */
    private static final class ExitedDuringStartup extends IllegalStateException {
        ExitedDuringStartup(String message) {
            super(message);
        }
    }

    /**
     * Starts a broker on {@code port} (clients) and {@code controllerPort}, keeping its log and metadata in
     * {@code dataDir}; a directory already formatted by an earlier start is reused as is, with its topics.
     */
    public static LocalKafkaBroker start(Path dataDir, int port, int controllerPort) throws IOException {
        return start(dataDir, port, controllerPort, false, null, null);
    }

    /**
     * As {@link #start(Path, int, int)}, with authentication and authorization: clients authenticate with SASL
     * (SCRAM-SHA-512 for the principals of {@code credentials}, PLAIN for {@value KafkaCredentials#ADMIN}, the super
     * user), every request is checked against ACLs (a principal without an ACL may do nothing), and once the broker
     * answers, the principals' SCRAM credentials and {@link KafkaPrincipals#acls()} are created. A data directory
     * formatted by a start without security is reused: its topics stay, now behind the ACLs.
     *
     * @throws IllegalStateException when the broker does not start, or refuses the principals' set-up
     */
    public static LocalKafkaBroker startSecured(Path dataDir, int port, int controllerPort, KafkaCredentials credentials)
            throws IOException {
        return startSecured(dataDir, port, controllerPort, credentials, null);
    }

    /**
     * As {@link #startSecured(Path, int, int, KafkaCredentials)}, the broker's JVM running {@code jar} alone on its
     * class path with the jar's {@link ClassDataArchive} ({@code <jar>.broker.<Java version>.jsa}), so that it starts
     * faster from its second run on (about 3.9 s to 2.1 to 2.5 s from launch to "Kafka Server started" on this 2-core
     * machine).
     *
     * @param jar a jar that stays where it is and holds this class, Kafka and their dependencies (the local stack's
     *     shaded jar); null: this JVM's class path, without an archive
     */
    public static LocalKafkaBroker startSecured(Path dataDir, int port, int controllerPort, KafkaCredentials credentials,
                                                Path jar) throws IOException {
        LocalKafkaBroker broker = start(dataDir, port, controllerPort, false, credentials, jar);
        try (Admin admin = Admin.create(new java.util.HashMap<>(broker.clientProperties(KafkaCredentials.ADMIN)))) {
            KafkaPrincipals.apply(admin, credentials);
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    private static LocalKafkaBroker start(Path dataDir, int port, int controllerPort, boolean temporary,
                                          KafkaCredentials credentials, Path jar) throws IOException {
        Files.createDirectories(dataDir);
        Path logDir = dataDir.resolve("kafka-logs");
        Path properties = dataDir.resolve("server.properties");
        Files.writeString(properties, serverProperties(logDir, port, controllerPort, credentials));
        Path log = dataDir.resolve("broker.log");
        if (credentials != null) {
            try {
                Files.setPosixFilePermissions(properties, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the data directory's own permissions protect it
            }
        }
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            format(properties, dataDir);
        }
        ClassDataArchive archive = jar == null ? null : ClassDataArchive.of(jar, "broker", "broker-" + port);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xms256m");
        command.add("-Xmx768m");
        command.add("-XX:+UseG1GC");
        if (archive != null) {
            command.addAll(archive.jvmOptions());
        }
        command.add("-cp");
        command.add(jar == null ? System.getProperty("java.class.path") : jar.toString());
        command.add(BrokerMain.class.getName());
        command.add(properties.toString());
        // the log is appended to across starts: a failed start reads its reason from this run's part only
        long logStart = Files.exists(log) ? Files.size(log) : 0;
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        LocalKafkaBroker broker = new LocalKafkaBroker(dataDir, port, process, temporary, credentials, archive);
        broker.awaitReady(logStart);
        return broker;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /**
     * What a client of {@code principal} sets to reach this broker: {@code bootstrap.servers} and, for a secured
     * broker, the SASL settings ({@link KafkaCredentials#clientProperties}); a plain broker ignores the principal.
     */
    public Map<String, String> clientProperties(String principal) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("bootstrap.servers", bootstrapServers());
        if (credentials != null) {
            properties.putAll(credentials.clientProperties(principal));
        }
        return properties;
    }

    /** Whether clients must authenticate ({@link #startSecured}). */
    public boolean secured() {
        return credentials != null;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Stops the broker; one from {@link #startTemporary()} also loses its directory. */
    @Override
    public void close() {
        ChildProcesses.stop(process);
        if (archive != null) {
            archive.publishAfter(process);
        }
        if (temporary) {
            deleteRecursively(dataDir);
        }
    }

    /** A port that was free a moment ago on the loopback interface. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    /**
     * The settings every broker of this project's tests and local runs starts with, beyond its listeners, roles and
     * storage: property name to value, in {@code server.properties} form. One node, so replication factor 1; topics
     * only as the services create them; 12 partitions where a topic names none. The test fixture's container broker
     * is given the same settings, so a test sees one broker whichever way it was started.
     */
    public static Map<String, String> clusterSettings() {
        return CLUSTER_SETTINGS;
    }

    private static Map<String, String> clusterSettingsInOrder() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("num.partitions", "12");
        settings.put("auto.create.topics.enable", "false");
        settings.put("offsets.topic.replication.factor", "1");
        settings.put("offsets.topic.num.partitions", "12");
        settings.put("transaction.state.log.replication.factor", "1");
        settings.put("transaction.state.log.min.isr", "1");
        settings.put("transaction.state.log.num.partitions", "12");
        settings.put("share.coordinator.state.topic.replication.factor", "1");
        settings.put("share.coordinator.state.topic.min.isr", "1");
        settings.put("group.initial.rebalance.delay.ms", "0");
        settings.put("log.segment.bytes", "67108864");
        // Transactions v2 (the default of a new 4.x cluster): a produce that begins a producer's next
        // transaction before the last commit's markers are written meets CONCURRENT_TRANSACTIONS and the
        // broker retries it after this backoff (default 20 ms, which was the median of a back-to-back
        // transaction here; 1 ms brought it to 2-4 ms). See docs/write-side-performance.md.
        settings.put("add.partitions.to.txn.retry.backoff.ms", "1");
        // Request threads sized to the machine's cores. Kafka's defaults (3 network, 8 I/O threads) suit a server
        // with many cores; on a 2-core machine each request is handed between more threads than there are cores,
        // and the wake-ups cost more than the work. Measured on this project's 2-core machine, one producer's
        // back-to-back one-record transactions on a bare broker: 739 -> 1,368 per second and 1.19 -> 0.70 ms of
        // broker CPU per transaction with 1 network and 2 I/O threads; 16 producers 0.57 -> 0.47 ms
        // (docs/write-side-performance.md). From 8 cores up these are Kafka's defaults again.
        int cores = Runtime.getRuntime().availableProcessors();
        settings.put("num.network.threads", String.valueOf(networkThreads(cores)));
        settings.put("num.io.threads", String.valueOf(ioThreads(cores)));
        return Collections.unmodifiableMap(settings);
    }

    /** Network threads for a broker on {@code cores} cores: half of them, at least 1, at most Kafka's default 3. */
    static int networkThreads(int cores) {
        return Math.max(1, Math.min(3, cores / 2));
    }

    /** I/O (request handler) threads for a broker on {@code cores} cores: one per core, at least 2, at most Kafka's default 8. */
    static int ioThreads(int cores) {
        return Math.max(2, Math.min(8, cores));
    }

    private static String serverProperties(Path logDir, int port, int controllerPort, KafkaCredentials credentials) {
        List<String> lines = new ArrayList<>(List.of(
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "controller.listener.names=CONTROLLER",
                "log.dirs=" + logDir));
        if (credentials == null) {
            lines.addAll(List.of(
                    "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                    "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                    "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                    "inter.broker.listener.name=PLAINTEXT"));
        } else {
            // SASL on both listeners. The broker's own principal (admin, the super user) uses PLAIN with the
            // password in this file: SCRAM credentials live in the metadata log, which the controller listener and
            // the first inter-broker connection need before it is read (Kafka's KRaft docs: SCRAM is not supported
            // for the controller listener). Services use SCRAM-SHA-512, created by KafkaPrincipals.apply.
            String adminJaas = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\""
                    + credentials.password(KafkaCredentials.ADMIN) + "\" user_admin=\"" + credentials.password(KafkaCredentials.ADMIN) + "\";";
            // the client listener also accepts PLAIN from every principal: librdkafka before 2.6.1 (Debian 12's kcat
            // has 2.0.2) fails SCRAM against Kafka 4.x brokers (confluentinc/librdkafka#4895), and other teams' tools
            // must still be able to connect. Same principals, same ACLs; SCRAM stays what our services use.
            StringBuilder clientJaas = new StringBuilder(adminJaas.substring(0, adminJaas.length() - 1));
            credentials.scramUsers().forEach((user, password) ->
                    clientJaas.append(" user_").append(user).append("=\"").append(password).append('"'));
            clientJaas.append(';');
            lines.addAll(List.of(
                    "listeners=SASL_PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                    "advertised.listeners=SASL_PLAINTEXT://127.0.0.1:" + port,
                    "listener.security.protocol.map=CONTROLLER:SASL_PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT",
                    "inter.broker.listener.name=SASL_PLAINTEXT",
                    "sasl.mechanism.inter.broker.protocol=PLAIN",
                    "sasl.mechanism.controller.protocol=PLAIN",
                    "listener.name.controller.sasl.enabled.mechanisms=PLAIN",
                    "listener.name.controller.plain.sasl.jaas.config=" + adminJaas,
                    "listener.name.sasl_plaintext.sasl.enabled.mechanisms=SCRAM-SHA-512,PLAIN",
                    "listener.name.sasl_plaintext.plain.sasl.jaas.config=" + clientJaas,
                    "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;",
                    "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                    "super.users=User:admin",
                    "allow.everyone.if.no.acl.found=false"));
        }
        CLUSTER_SETTINGS.forEach((name, value) -> lines.add(name + "=" + value));
        lines.add("");
        return String.join("\n", lines);
    }

    /**
     * Formats the storage with Kafka's own {@code StorageTool format}, run in this JVM through its entry point
     * {@code execute} (the command line's, minus the exit): a child JVM only for that cost 1.6 to 2 s of every fresh
     * broker's start on this 2-core machine, mostly loading the classes this JVM loads once. Its output goes to
     * {@code format.log} in {@code dataDir}, as it did.
     *
     * @throws IllegalStateException if the tool fails or answers a non-zero status; the message has its output
     */
    private static void format(Path properties, Path dataDir) throws IOException {
        java.io.ByteArrayOutputStream output = new java.io.ByteArrayOutputStream();
        int status;
        try (java.io.PrintStream out = new java.io.PrintStream(output, true, java.nio.charset.StandardCharsets.UTF_8)) {
            status = kafka.tools.StorageTool.execute(new String[]{"format", "-t", Uuid.randomUuid().toString(),
                    "-c", properties.toString()}, out);
        } catch (Exception e) {
            throw new IllegalStateException("formatting the Kafka storage failed: " + e.getMessage()
                    + " (output in " + dataDir.resolve("format.log") + ")", e);
        } finally {
            Files.write(dataDir.resolve("format.log"), output.toByteArray());
        }
        if (status != 0) {
            throw new IllegalStateException("formatting the Kafka storage failed with status " + status + ": "
                    + output.toString(java.nio.charset.StandardCharsets.UTF_8).strip());
        }
    }

    /** Waits until the broker answers as its own cluster; {@code logStart}: where this run's part of its log begins. */
    private void awaitReady(long logStart) {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        String clusterId = clusterId();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                Path log = dataDir.resolve("broker.log");
                String reason = startupFailureReason(log, logStart);
                throw new ExitedDuringStartup("the Kafka broker exited during startup (exit " + process.exitValue() + ")"
                        + (reason.isEmpty() ? "" : ": " + reason) + "; see " + log);
            }
            if (portOpen() && clusterAnswers(clusterId)) {
                return;
            }
            sleep(200);
        }
        // not close(): a temporary broker's directory holds the log this message points to
        ChildProcesses.stop(process);
        throw new IllegalStateException("Kafka broker not ready after " + STARTUP_TIMEOUT.toSeconds()
                + " s, see " + dataDir.resolve("broker.log"));
    }

    /** An exception's name and message at the start of a log line, as a JVM prints an uncaught one or a logger a cause. */
    private static final java.util.regex.Pattern EXCEPTION_LINE =
            java.util.regex.Pattern.compile("^(?:Caused by: )?(?:[\\w$]+\\.)*\\w*(?:Exception|Error): (.+)$");

    /**
     * Why a broker that exited during startup did, as its log says: the message of the first exception in the log from
     * byte {@code from} on (a port in use: "Socket server failed to bind to 127.0.0.1:9093: Address already in use"),
     * without a final period; empty when there is none or the log cannot be read.
     */
    static String startupFailureReason(Path log, long from) {
        try (java.io.RandomAccessFile in = new java.io.RandomAccessFile(log.toFile(), "r")) {
            long start = Math.max(0, Math.min(from, in.length()));
            // a failed start logs little; its first exception is in the first megabyte of this run's part
            byte[] bytes = new byte[(int) Math.min(in.length() - start, 1 << 20)];
            in.seek(start);
            in.readFully(bytes);
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8).lines()
                    .map(EXCEPTION_LINE::matcher)
                    .filter(java.util.regex.Matcher::matches)
                    .map(matcher -> matcher.group(1).strip().replaceAll("\\.$", ""))
                    .findFirst().orElse("");
        } catch (IOException e) {
            return "";
        }
    }

    private boolean portOpen() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Whether the cluster answering on this broker's port is this broker's own ({@code clusterId}, from its storage):
     * a port picked free ({@link #freePort}) can be taken by another process before this broker binds it, and that
     * may be another test JVM's broker, which would otherwise be taken for this one.
     */
    private boolean clusterAnswers(String clusterId) {
        Map<String, Object> config = new java.util.HashMap<>(clientProperties(KafkaCredentials.ADMIN));
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        try (Admin admin = Admin.create(config)) {
            var cluster = admin.describeCluster();
            return !cluster.nodes().get(3, TimeUnit.SECONDS).isEmpty()
                    && clusterId.equals(cluster.clusterId().get(3, TimeUnit.SECONDS));
        } catch (Exception e) {
            return false;
        }
    }

    /** The cluster id the storage was formatted with ({@code cluster.id} in {@code meta.properties}). */
    private String clusterId() {
        Path meta = dataDir.resolve("kafka-logs").resolve("meta.properties");
        java.util.Properties properties = new java.util.Properties();
        try (var reader = Files.newBufferedReader(meta)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + meta, e);
        }
        return properties.getProperty("cluster.id", "");
    }

    private static void deleteRecursively(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("local-kafka: could not delete " + dir + ": " + e.getMessage());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the Kafka broker", e);
        }
    }
}
