package dev.eventbank.localstack;

import dev.eventbank.devissuer.DevIssuer;
import dev.eventbank.localkafka.KafkaCredentials;
import dev.eventbank.localkafka.KafkaPrincipals;
import dev.eventbank.localkafka.LocalKafkaBroker;
import dev.eventbank.schemas.catalog.TopicProvisioner;
import dev.eventbank.schemas.catalog.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.utils.AppInfoParser;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The whole system on one machine: a real Kafka broker (KRaft, from the Kafka jars), the schema registry,
 * and the command, projection and query services, each its own JVM, started in dependency order and
 * waited on until healthy. {@code bin/local-stack} runs {@link #main}; the end-to-end tests use
 * {@link #start} with free ports.
 *
 * <p>Everything lives in one data directory (broker log, Kafka Streams state, service logs, the credentials of
 * {@link StackSecurity}), so a second start on the same directory finds its accounts again and old tokens still
 * work. A lock file keeps two stacks off one directory.
 *
 * <p>Security: the services and the registry trust the stack's development issuer (its key in
 * {@code <data dir>/security}; {@code bin/dev-token} or {@link #issuer()} make tokens); the registry's writers and
 * the query service's user of the projection's internal API get random passwords kept there.
 *
 * <p>The broker is always the one from the Kafka jars, also in the end-to-end tests, which do not use the
 * integration tests' container-or-jars fixture ({@code test-broker}): it is what {@code bin/local-stack} runs, a
 * second start on the same data directory must find its log, and {@link #pids()} names its process. (The services,
 * child processes, could reach a container's mapped port; that is not the obstacle.)
 *
 * <p>Limits: one broker, so no replication; services killed with SIGKILL together with the launcher are
 * cleaned up at the next start from the pid file, not at once.
 */
public final class LocalStack implements AutoCloseable {

    static final String VERSION = "0.1.0-SNAPSHOT";
    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(180);
    private static final List<String> ALL_APPS = List.of("command-service", "projection-service", "query-service");
    private static final String REGISTRY = "schema-registry";

    private final Path dataDir;
    private final StackPorts ports;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final List<ServiceProcess> services = new ArrayList<>();
    private final Map<String, Integer> stoppedPorts = new LinkedHashMap<>();
    private volatile LocalKafkaBroker broker;
    private volatile boolean closing;
    /** Where {@link #startAll} and {@link #close} report progress; null until started. */
    private volatile PrintStream progress;
    private Path home;
    private Map<String, String> commonProperties = Map.of();
    private boolean temporary;
    private StackSecurity security;

    private LocalStack(Path dataDir, StackPorts ports, FileChannel lockChannel, FileLock lock) {
        this.dataDir = dataDir;
        this.ports = ports;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Starts the stack from the jars under {@code home} (the repository root) and returns once every service
     * reports healthy; on any failure, whatever was started is stopped again.
     *
     * @throws IllegalStateException when the stack does not start, with a message for people that names the cause
     *     and, where there is one, the log to read: another stack on {@code dataDir}, one of {@code ports} in use, the
     *     broker or a service exiting during startup or not healthy in time, or the stack closed while it started
     * @throws IOException when the data directory cannot be made, locked or written
     */
    public static LocalStack start(Path home, Path dataDir, StackPorts ports, int partitions, PrintStream progress)
            throws IOException {
        return start(home, dataDir, ports, partitions, Map.of(), progress);
    }

    /**
     * As {@link #start(Path, Path, StackPorts, int, PrintStream)}, passing {@code properties} to every service; a
     * key written {@code <module>/<key>} (e.g. {@code command-service/eventbank.commands.reply-timeout}) goes
     * to that module only.
     */
    public static LocalStack start(Path home, Path dataDir, StackPorts ports, int partitions,
                                   Map<String, String> properties, PrintStream progress) throws IOException {
        return start(home, dataDir, ports, partitions, properties, ALL_APPS, progress);
    }

    /**
     * As {@link #start(Path, Path, StackPorts, int, Map, PrintStream)} with only the broker, the registry and the
     * command service: for tests of the write side, which judge by reading the event log themselves and have no use
     * for the read side's two JVMs (on two cores, they would only slow the command service down).
     */
    public static LocalStack startCommandSide(Path home, Path dataDir, StackPorts ports, int partitions,
                                              Map<String, String> properties, PrintStream progress) throws IOException {
        return start(home, dataDir, ports, partitions, properties, List.of("command-service"), progress);
    }

    private static LocalStack start(Path home, Path dataDir, StackPorts ports, int partitions,
                                    Map<String, String> properties, List<String> apps, PrintStream progress)
            throws IOException {
        return start(home, dataDir, ports, partitions, properties, apps, progress, created -> { });
    }

    /** As above, telling {@code created} of the stack before anything of it starts, so that it can be stopped mid-start. */
    private static LocalStack start(Path home, Path dataDir, StackPorts ports, int partitions,
                                    Map<String, String> properties, List<String> apps, PrintStream progress,
                                    java.util.function.Consumer<LocalStack> created) throws IOException {
        // a directory this start makes is removed again if nothing got to write there (ports in use): a refused
        // start leaves no empty data directory behind, only one whose logs say why
        boolean fresh = Files.notExists(dataDir);
        Files.createDirectories(dataDir);
        // the broker's log (every event), the services' state and the passwords: the owner's only
        try {
            Files.setPosixFilePermissions(dataDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the directory's own access rules apply
        }
        FileChannel channel = FileChannel.open(dataDir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            lock = null; // the other stack runs in this JVM
        }
        if (lock == null) {
            channel.close();
            throw new IllegalStateException("another local stack is running on " + dataDir
                    + ": stop it, or give this one a --data-dir of its own");
        }
        LocalStack stack = new LocalStack(dataDir, ports, channel, lock);
        created.accept(stack);
        try {
            stack.killLeftoversOfAnEarlierRun();
            stack.startAll(home, partitions, properties, apps, progress);
            return stack;
        } catch (IOException | RuntimeException e) {
            stack.close();
            if (fresh && stack.broker == null) {
                deleteRecursively(dataDir);
            }
            throw e;
        }
    }

    /**
     * As {@link #start(Path, Path, StackPorts, int, Map, PrintStream)} in a new temporary directory named
     * {@code prefix...}, which {@link #close} deletes: for benchmarks, whose stacks hold nothing worth keeping.
     */
    public static LocalStack startTemporary(Path home, String prefix, StackPorts ports, int partitions,
                                            Map<String, String> properties, PrintStream progress) throws IOException {
        Path dataDir = Files.createTempDirectory(prefix);
        LocalStack stack;
        try {
            stack = start(home, dataDir, ports, partitions, properties, progress);
        } catch (IOException | RuntimeException e) {
            deleteRecursively(dataDir);
            throw e;
        }
        stack.temporary = true;
        // a benchmark stopped with Ctrl-C must not leave the broker and services running
        Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "local-stack-shutdown"));
        return stack;
    }

    private void startAll(Path home, int partitions, Map<String, String> properties, List<String> apps,
                          PrintStream progress) throws IOException {
        long begin = System.nanoTime();
        // before anything starts (so close() has nothing to say): a broker already on the Kafka port (another
        // stack's) would answer this one's clients, and one on the controller port would make this broker exit
        requireFree(portsToBind(apps));
        this.progress = progress;
        progress.printf("local-stack: data in %s%n", dataDir);
        security = StackSecurity.inDataDirectory(dataDir);
        progress.printf("local-stack: starting Kafka %s from the jars on 127.0.0.1:%d ...%n", AppInfoParser.getVersion(),
                ports.kafka());
        // SASL and ACLs: each service its own principal with the least it needs (KafkaPrincipals)
        KafkaCredentials kafkaCredentials = KafkaCredentials.inDirectory(dataDir.resolve("security"), KafkaPrincipals.ALL);
        broker = LocalKafkaBroker.startSecured(dataDir.resolve("kafka"), ports.kafka(), ports.kafkaController(),
                kafkaCredentials, brokerJar(home));
        writePids();
        // the operator's part: the catalogue's topics exist before any service starts, as each service's principal
        // may create only its own topics and the projection reads the event log the command service owns
        try (Admin admin = Admin.create(kafkaClientProperties(KafkaCredentials.ADMIN))) {
            new TopicProvisioner(admin, partitions, (short) 1).ensure(Topics.all());
        }
        progress.printf("local-stack: Kafka ready after %.1f s (SASL/SCRAM, ACLs per service; passwords in %s)%n",
                seconds(begin), dataDir.resolve("security"));

        Map<String, String> common = new LinkedHashMap<>();
        common.put("kafka.bootstrap.servers", broker.bootstrapServers());
        for (String module : List.of("schema-registry", "command-service", "projection-service", "query-service")) {
            // protocol and mechanism as properties; the JAAS line holds the password: environment only (startService)
            broker.clientProperties(module).forEach((name, value) -> {
                if (!name.equals("bootstrap.servers") && !name.equals("sasl.jaas.config")) {
                    common.put(module + "/kafka." + name, value);
                }
            });
        }
        common.put("schema-registry.url", "http://127.0.0.1:" + ports.registry());
        common.put("eventbank.topics.partitions", String.valueOf(partitions));
        // the query service relays history and time travel to the projection service's interactive queries
        common.put("eventbank.query.projection-url", "http://127.0.0.1:" + ports.projection());
        common.putAll(properties);
        this.home = home;
        this.commonProperties = common;

        ServiceProcess registry = startService(home, REGISTRY, ports.registry(), common);
        registry.awaitHealthy(HEALTH_TIMEOUT);
        progress.printf("local-stack: schema-registry healthy after %.1f s%n", seconds(begin));

        List<ServiceProcess> started = new ArrayList<>();
        for (String app : apps) {
            started.add(startService(home, app, portOf(app), common));
        }
        for (ServiceProcess app : started) {
            app.awaitHealthy(HEALTH_TIMEOUT);
            progress.printf("local-stack: %s healthy after %.1f s%n", app.name(), seconds(begin));
        }
        progress.printf("local-stack: all healthy after %.1f s%n", seconds(begin));
    }

    /** The loopback ports the stack binds with {@code apps}, each with what binds it, in start order. */
    private Map<Integer, String> portsToBind(List<String> apps) {
        Map<Integer, String> toBind = new LinkedHashMap<>();
        toBind.put(ports.kafka(), "Kafka");
        toBind.put(ports.kafkaController(), "Kafka controller");
        toBind.put(ports.registry(), REGISTRY);
        apps.forEach(app -> toBind.put(portOf(app), app));
        return toBind;
    }

    /**
     * Fails when a port of {@code toBind} (port to what binds it) cannot be bound on 127.0.0.1, where the broker
     * listens (the services listen on every address, so a port taken there is theirs too): most often another local
     * stack holds them.
     *
     * @throws IllegalStateException naming the ports in use, what each is for, and what to do
     */
    static void requireFree(Map<Integer, String> toBind) {
        List<String> inUse = new ArrayList<>();
        toBind.forEach((port, what) -> {
            // on 127.0.0.1, where the broker listens and another local stack's services answer (they listen on every
            // address); SO_REUSEADDR as they bind, so a closed connection's TIME_WAIT is no obstacle
            try (java.net.ServerSocket socket = new java.net.ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new java.net.InetSocketAddress("127.0.0.1", port), 1);
            } catch (IOException e) {
                inUse.add(port + " (" + what + ")");
            }
        });
        if (!inUse.isEmpty()) {
            throw new IllegalStateException((inUse.size() == 1 ? "port " + inUse.get(0) + " is" : "ports "
                    + String.join(", ", inUse) + " are") + " in use: is another local stack running? Stop it, or run"
                    + " this one with --data-dir DIR in a network namespace of its own (README, \"Run it\")");
        }
    }

    /**
     * Starts one more instance of {@code module} on {@code port}, configured like the first (same topics, same
     * group: the command service's writers' group, or a Kafka Streams application id, shares the partitions
     * between them) but with its own state directory;
     * it is stopped with the stack. For fault tests: the result can be killed.
     */
    ServiceProcess startAnotherInstance(String module, int port) throws IOException {
        if (services.stream().noneMatch(service -> service.name().equals(module))) {
            throw new IllegalArgumentException(module + " is not part of this stack");
        }
        ServiceProcess another = startService(home, module + "-" + port, module, port, commonProperties);
        another.awaitHealthy(HEALTH_TIMEOUT);
        return another;
    }

    /**
     * Stops {@code module} (SIGTERM) and starts it again on the same port with the same state directory, as an
     * operator's restart or a redeploy would; returns once it is healthy again. A module a test has already
     * stopped ({@link #service}, {@link ServiceProcess#close}) is only started again.
     */
    void restartService(String module) throws IOException {
        ServiceProcess old = service(module);
        old.close();
        services.remove(old);
        startService(home, module, old.port(), commonProperties).awaitHealthy(HEALTH_TIMEOUT);
    }

    private int portOf(String app) {
        return switch (app) {
            case "command-service" -> ports.command();
            case "projection-service" -> ports.projection();
            case "query-service" -> ports.query();
            default -> throw new IllegalArgumentException("no port for " + app);
        };
    }

    /**
     * The running service named {@code name} (a module, or {@code <module>-<port>} for another instance), to pause,
     * stop or kill it in a fault test.
     */
    ServiceProcess service(String name) {
        return services.stream().filter(service -> service.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(name + " is not part of this stack"));
    }

    /**
     * Stops the service {@code name} (a module name, e.g. {@code command-service}) gracefully: SIGTERM, so it can
     * leave its groups and save its state, SIGKILL if it has not exited in 30 s. It stays stopped until
     * {@link #startService(String)}; for benchmarks that measure a service's start and restore.
     */
    public synchronized void stopService(String name) {
        ServiceProcess service = service(name);
        service.close();
        services.remove(service);
        stoppedPorts.put(name, service.port());
        try {
            writePids();
        } catch (IOException e) {
            System.err.println("local-stack: could not write " + pidFile() + ": " + e.getMessage());
        }
    }

    /**
     * Starts the module {@code name} again after {@link #stopService(String)}, on the same port, with the same
     * configuration, state directory ({@link #stateDir(String)}) and log file ({@link #logFile(String)}); returns
     * as soon as the process runs, without waiting for it to be healthy, so the caller can time that.
     */
    public synchronized void startService(String name) throws IOException {
        Integer port = stoppedPorts.remove(name);
        if (port == null) {
            throw new IllegalArgumentException(name + " was not stopped with stopService");
        }
        startService(home, name, port, commonProperties);
    }

    /** The state directory the service {@code name} is given ({@code eventbank.commands.state-dir}). */
    public Path stateDir(String name) {
        return dataDir.resolve("state").resolve(name);
    }

    /** The log file of the service {@code name} (appended to across restarts). */
    public Path logFile(String name) {
        return dataDir.resolve("logs").resolve(name + ".log");
    }

    private ServiceProcess startService(Path home, String module, int port, Map<String, String> common) throws IOException {
        return startService(home, module, module, port, common);
    }

    private ServiceProcess startService(Path home, String name, String module, int port, Map<String, String> common)
            throws IOException {
        // the stack's own security settings first: a caller's properties may override them
        Map<String, String> properties = new LinkedHashMap<>(security.properties(module));
        common.forEach((key, value) -> {
            int slash = key.indexOf('/');
            if (slash < 0) {
                properties.put(key, value);
            } else if (key.substring(0, slash).equals(module)) {
                properties.put(key.substring(slash + 1), value);
            }
        });
        properties.put("eventbank.streams.state-dir", dataDir.resolve("streams").resolve(name).toString());
        // the command service's local checkpoint files of its partitions' state
        properties.put("eventbank.commands.state-dir", stateDir(name).toString());
        Path jar = jarCopies().orElse(home.resolve(module).resolve("target")).resolve(module + "-" + VERSION + ".jar");
        Map<String, String> environment = new LinkedHashMap<>(security.environment(module));
        String kafkaLogin = broker.clientProperties(module).get("sasl.jaas.config");
        if (kafkaLogin != null) {
            environment.put("KAFKA_SASL_JAAS_CONFIG", kafkaLogin);
        }
        synchronized (this) {
            // a close() from another thread (a launcher's Ctrl-C) while the stack starts: nothing more is started
            if (closing) {
                throw new IllegalStateException("the local stack is stopping: " + name + " not started");
            }
            ServiceProcess service = ServiceProcess.start(name, jar, port, properties, environment, logFile(name),
                    classDataSharing());
            services.add(service);
            writePids();
            return service;
        }
    }

    public String commandUrl() {
        return "http://localhost:" + ports.command();
    }

    public String queryUrl() {
        return "http://localhost:" + ports.query();
    }

    public String projectionUrl() {
        return "http://localhost:" + ports.projection();
    }

    public String registryUrl() {
        return "http://localhost:" + ports.registry();
    }

    /**
     * Confluent's client properties for a writer of this stack's registry ({@code schema.registry.url},
     * {@code basic.auth.credentials.source=USER_INFO}, {@code basic.auth.user.info}: the command service's user), for
     * tools that write events themselves, such as the benchmarks' log fillers.
     */
    public Map<String, String> registryWriterConfig() {
        return Map.of("schema.registry.url", registryUrl(),
                "basic.auth.credentials.source", "USER_INFO",
                "basic.auth.user.info", security.registryUserInfo("command-service"));
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /**
     * What a Kafka client of {@code principal} sets to reach this stack's broker: {@code bootstrap.servers} and the
     * SASL settings. Tests and benchmarks that write or inspect topics directly use
     * {@link dev.eventbank.localkafka.KafkaCredentials#ADMIN}; a consumer like another team's uses
     * {@link KafkaPrincipals#READER}.
     */
    public Map<String, Object> kafkaClientProperties(String principal) {
        return new java.util.HashMap<>(broker.clientProperties(principal));
    }

    public Path dataDir() {
        return dataDir;
    }

    /**
     * The token issuer every service of this stack trusts (the one {@code bin/dev-token} uses for this data
     * directory): {@code issuer().token("teller", "someone")} is a teller's token, valid for an hour.
     */
    public DevIssuer issuer() {
        return security.issuer();
    }

    /** Process ids by component, for measuring memory or killing one in a fault test. */
    public Map<String, Long> pids() {
        Map<String, Long> pids = new LinkedHashMap<>();
        if (broker != null) {
            pids.put("kafka", broker.pid());
        }
        services.forEach(service -> pids.put(service.name(), service.pid()));
        return pids;
    }

    /**
     * Stops the services (all at once, as their clean shutdowns do not wait for each other, then the schema registry),
     * then the broker, then releases the data directory (and deletes it when {@link #startTemporary} made it). From
     * another thread while the stack starts (a launcher's Ctrl-C), it stops what has started, and the start fails.
     * Once the start has begun to report progress, it says "stopping ..." and "stopped after" there.
     */
    @Override
    public synchronized void close() {
        if (closing) {
            return;
        }
        closing = true;
        long begin = System.nanoTime();
        if (progress != null) {
            progress.println("local-stack: stopping ...");
        }
        try {
            // the registry last: a service's last commit may still look a schema up
            ServiceProcess.closeAll(services.stream().filter(service -> !service.name().equals(REGISTRY)).toList());
            ServiceProcess.closeAll(services.stream().filter(service -> service.name().equals(REGISTRY)).toList());
            services.clear();
        } finally {
            if (broker != null) {
                broker.close();
            }
            if (progress != null) {
                progress.printf("local-stack: stopped after %.1f s%n", seconds(begin));
            }
            try {
                Files.deleteIfExists(pidFile());
                lock.release();
                lockChannel.close();
            } catch (IOException e) {
                System.err.println("local-stack: could not release " + dataDir + ": " + e.getMessage());
            }
            if (temporary) {
                deleteRecursively(dataDir);
            }
        }
    }

    private static void deleteRecursively(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("local-stack: could not delete " + dir + ": " + e.getMessage());
        }
    }

    private Path pidFile() {
        return dataDir.resolve("local-stack.pids");
    }

    private void writePids() throws IOException {
        Files.writeString(pidFile(), pids().values().stream().map(String::valueOf).collect(Collectors.joining("\n")));
    }

    /** A launcher killed with SIGKILL leaves its children running; their pids are in the pid file. */
    private void killLeftoversOfAnEarlierRun() throws IOException {
        if (!Files.exists(pidFile())) {
            return;
        }
        for (String line : Files.readAllLines(pidFile())) {
            if (line.isBlank()) {
                continue;
            }
            ProcessHandle.of(Long.parseLong(line.trim()))
                    .filter(process -> process.info().commandLine().orElse("").contains("java"))
                    .ifPresent(process -> {
                        System.err.println("local-stack: stopping leftover process " + process.pid());
                        process.destroyForcibly();
                    });
        }
        Files.delete(pidFile());
    }

    /**
     * The folder of {@code bin/local-stack}'s copies of the service jars (system property {@code eventbank.jars}),
     * which it runs instead of the build's so that a build in the checkout never rewrites a running service's jar;
     * empty when started otherwise (tests, the bench): then the build's jars under each module's {@code target}.
     */
    private static java.util.Optional<Path> jarCopies() {
        String copies = System.getProperty("eventbank.jars", "");
        return copies.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(Path.of(copies));
    }

    /**
     * Whether the stack's JVMs map class-data-sharing archives of their jars ({@code ClassDataArchive}): only when
     * asked (system property {@code eventbank.class-data-sharing=true}, which the end-to-end tests set) and when the
     * stack runs the build's jars. Not for {@code bin/local-stack}, whose per-run copies of the jars would leave
     * archives never used again, nor for {@code bin/bench}, whose figures stay those of plain JVMs.
     */
    private static boolean classDataSharing() {
        return Boolean.getBoolean("eventbank.class-data-sharing") && jarCopies().isEmpty();
    }

    /**
     * The jar the broker's JVM runs, with its class-data-sharing archive beside it: the build's local-stack jar
     * (shaded: Kafka, the broker's entry point, the logging configuration) when {@link #classDataSharing} and it
     * is built; else null (the broker gets this JVM's class path, no archive).
     */
    private static Path brokerJar(Path home) {
        Path jar = home.resolve("local-stack").resolve("target").resolve("local-stack-" + VERSION + ".jar");
        return classDataSharing() && Files.isRegularFile(jar) ? jar : null;
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    /**
     * {@code bin/local-stack}: starts the stack on the documented ports ({@link StackPorts#defaults()}) with the
     * options of {@link Options#parse}, prints the URLs and watches it until Ctrl-C or SIGTERM stops it. Exits 2 on a
     * wrong command line and 1 when the stack does not start, each with one line on standard error saying why
     * ({@link #reportFailedStart}); a signal while it starts stops it quietly (the signal's exit status, 130 for
     * Ctrl-C).
     */
    public static void main(String[] args) throws InterruptedException {
        // one shutdown hook, registered first: it stops the stack, started or starting, then deletes bin/local-stack's
        // copies of the jars (this run's alone)
        java.util.concurrent.atomic.AtomicReference<LocalStack> stackOfThisRun = new java.util.concurrent.atomic.AtomicReference<>();
        // set by the hook: the JVM is exiting on a signal (nothing else in this launcher exits while the stack starts)
        java.util.concurrent.atomic.AtomicBoolean signalled = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.Optional<Path> copies = jarCopies();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            signalled.set(true);
            LocalStack running = stackOfThisRun.get();
            if (running != null && !running.closing) {
                System.out.println(); // after the terminal's ^C; close() says "stopping ..."
                running.close();
            }
            copies.ifPresent(LocalStack::deleteRecursively);
        }, "local-stack-shutdown"));
        Path home = Path.of(System.getProperty("eventbank.home", ".")).toAbsolutePath().normalize();
        Options options;
        try {
            options = Options.parse(args, System.getenv("LOCAL_STACK_DATA"), home);
        } catch (IllegalArgumentException e) {
            System.err.println("local-stack: " + e.getMessage() + " (try --help)");
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.println(Options.USAGE);
            return;
        }
        Path dataDir = options.dataDir();

        LocalStack stack;
        try {
            stack = start(home, dataDir, StackPorts.defaults(), options.partitions(), Map.of(), ALL_APPS, System.out,
                    stackOfThisRun::set);
        } catch (IOException | RuntimeException e) {
            java.util.OptionalInt status = reportFailedStart(e, signalled.get(), System.err);
            if (status.isPresent()) {
                System.exit(status.getAsInt());
            }
            return;
        }
        System.out.printf("""

                  command service    %s      (POST /accounts, /accounts/{id}/deposits|withdrawals|close)
                  query service      %s      (GET /accounts, /accounts/{id})
                  projection service %s/health
                  schema registry    %s
                  kafka              %s
                  logs               %s

                Every API but the registry's reads takes a bearer token (roles customer, teller, auditor, operator), valid for an hour:
                  TOKEN=$(%sbin/dev-token teller)      (or: customer CUSTOMER-ID, auditor, operator)
                  curl -H "Authorization: Bearer $TOKEN" %s/accounts/ACCOUNT-ID

                Ctrl-C stops everything.
                %n""", stack.commandUrl(), stack.queryUrl(), stack.projectionUrl(), stack.registryUrl(),
                stack.bootstrapServers(), dataDir.resolve("logs"),
                // bin/dev-token finds the key in the default data directory or in LOCAL_STACK_DATA
                dataDir.equals(home.resolve(".local-stack-data")) ? "" : "LOCAL_STACK_DATA=" + dataDir + " ",
                stack.queryUrl());
        watchForDeaths(stack);
    }

    /** A service that dies while the stack runs is reported, not silently missing. */
    private static void watchForDeaths(LocalStack stack) throws InterruptedException {
        List<String> reported = new ArrayList<>();
        while (!stack.closing) {
            for (ServiceProcess service : List.copyOf(stack.services)) {
                if (!service.isAlive() && !reported.contains(service.name())) {
                    reported.add(service.name());
                    System.err.println("local-stack: " + service.name() + " exited, see " + service.log()
                            + "; the launcher does not restart it: stop the stack (Ctrl-C) and start it again on the "
                            + "same data directory");
                }
            }
            if (stack.broker != null && !stack.broker.isAlive() && !reported.contains("kafka")) {
                reported.add("kafka");
                System.err.println("local-stack: kafka exited, see " + stack.dataDir.resolve("kafka/broker.log")
                        + "; the launcher does not restart it: stop the stack (Ctrl-C) and start it again on the same data "
                        + "directory");
            }
            Thread.sleep(1000);
        }
    }

    /**
     * What the launcher does when its start failed with {@code failure} (from {@link #start}; whatever started is
     * stopped by then). After a signal ({@code signalled}: Ctrl-C or SIGTERM while it started, which stopped the
     * start), nothing: the shutdown hook stops the stack and the JVM exits with the signal's status. Otherwise one line
     * on {@code err}, {@code local-stack: <cause>}, for every failure with a message written for people
     * ({@link IllegalStateException}: another stack on the data directory, a port in use, the broker or a service
     * exiting or not healthy, whose messages name the log to read; an {@link IOException} of the data directory); a
     * service's message is followed by the last lines of its log. Anything else is a bug and gets its stack trace too.
     *
     * @return the status to exit with (1), or empty when a signal stopped the start and the JVM is already exiting
     */
    static java.util.OptionalInt reportFailedStart(Exception failure, boolean signalled, PrintStream err) {
        if (signalled) {
            return java.util.OptionalInt.empty();
        }
        if (failure instanceof IllegalStateException && failure.getMessage() != null) {
            err.println("local-stack: " + failure.getMessage().stripTrailing());
        } else if (failure instanceof IOException || failure instanceof java.io.UncheckedIOException) {
            Throwable io = failure instanceof java.io.UncheckedIOException && failure.getCause() != null
                    ? failure.getCause() : failure;
            // a file system's exceptions often say no more than the path: their name says what went wrong
            err.println("local-stack: could not start: " + io.getClass().getSimpleName() + ": " + io.getMessage());
        } else {
            err.println("local-stack: could not start: " + failure + " (a bug; its stack trace follows)");
            failure.printStackTrace(err);
        }
        return java.util.OptionalInt.of(1);
    }

    /**
     * {@code bin/local-stack}'s command line.
     *
     * @param dataDir    the data directory, absolute
     * @param partitions the partition count of the topics the stack creates, at least 1
     * @param help       whether only the usage was asked for
     */
    record Options(Path dataDir, int partitions, boolean help) {

        static final String USAGE = "usage: bin/local-stack [--data-dir DIR] [--partitions N]\n"
                + "  --data-dir DIR  the stack's data (Kafka's log, keys, service logs); default: LOCAL_STACK_DATA, else"
                + " <checkout>/.local-stack-data\n"
                + "  --partitions N  partitions of the topics it creates (default 12)";

        /**
         * Reads {@code args}: {@code --data-dir DIR} (else {@code envDataDir}, the environment's
         * {@code LOCAL_STACK_DATA}, when not null or blank; else {@code <home>/.local-stack-data}),
         * {@code --partitions N} (default 12), {@code -h} or {@code --help}.
         *
         * @throws IllegalArgumentException for an unknown option, or an option's value that is missing or malformed;
         *     the message says which, in one line
         */
        static Options parse(String[] args, String envDataDir, Path home) {
            Path dataDir = null;
            int partitions = 12;
            boolean help = false;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--data-dir" -> dataDir = path(args[i], value(args, ++i));
                    case "--partitions" -> partitions = positive(args[i], value(args, ++i));
                    case "-h", "--help" -> help = true;
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (dataDir == null) {
                dataDir = envDataDir != null && !envDataDir.isBlank()
                        ? path("LOCAL_STACK_DATA", envDataDir) : home.resolve(".local-stack-data");
            }
            return new Options(dataDir, partitions, help);
        }

        private static String value(String[] args, int index) {
            if (index >= args.length) {
                throw new IllegalArgumentException(args[index - 1] + " needs a value");
            }
            return args[index];
        }

        private static Path path(String option, String value) {
            try {
                if (value.isBlank()) {
                    throw new java.nio.file.InvalidPathException(value, "empty");
                }
                return Path.of(value).toAbsolutePath();
            } catch (java.nio.file.InvalidPathException e) {
                throw new IllegalArgumentException(option + " needs a directory, not '" + value + "'");
            }
        }

        private static int positive(String option, String value) {
            try {
                int number = Integer.parseInt(value.strip());
                if (number >= 1) {
                    return number;
                }
            } catch (NumberFormatException e) {
                // said below
            }
            throw new IllegalArgumentException(option + " needs a whole number from 1 up, not '" + value + "'");
        }
    }
}
