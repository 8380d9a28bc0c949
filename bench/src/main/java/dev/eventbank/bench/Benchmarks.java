package dev.eventbank.bench;

import dev.eventbank.localkafka.KafkaCredentials;
import dev.eventbank.localstack.LocalStack;
import dev.eventbank.localstack.StackPorts;
import dev.eventbank.schemas.catalog.Topics;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * Every benchmark of the system, in one run ({@code bin/bench}), each section on a stack of its own:
 * <ul>
 *   <li>load: the plain Kafka ceilings; command throughput and latency at 1, 16 and 64 closed-loop clients, spread
 *   over many accounts and concentrated on one hot account; command-to-query visibility; deposits to a long and a short history; start-up time and the
 *   resident memory of each process;</li>
 *   <li>peer: the same workload on Axon Framework with PostgreSQL ({@link PeerSection});</li>
 *   <li>history: loading an account with and without snapshots ({@link HistoryBenchmark});</li>
 *   <li>rebuild: the projection rebuild next to a plain consumer ({@link RebuildBenchmark});</li>
 *   <li>restore: the command service's start to healthy as it restores its partitions ({@link RestoreBenchmark}).</li>
 * </ul>
 * Prints progress and writes the report to a new file ({@link ResultsFile}).
 *
 * <p>Limits: the load generator runs on the same machine as the broker and the services, so on a small
 * machine it takes CPU from what it measures; figures are for comparison on one machine, not absolutes.
 */
public final class Benchmarks {

    private Benchmarks() {
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(System.getProperty("eventbank.home", ".")).toAbsolutePath().normalize();
        BenchOptions options;
        ResultsFile results;
        try {
            options = BenchOptions.parse(args);
            if (options.help) {
                System.out.print(BenchOptions.USAGE);
                return;
            }
            results = ResultsFile.choose(home, options.out, options.overwrite, ZonedDateTime.now());
        } catch (IllegalArgumentException e) {
            // a mistake in the command line: one line saying what, no stack trace
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        Path shown = results.path().startsWith(home) ? home.relativize(results.path()) : results.path();
        System.out.println("bench: results will go to " + shown);
        long begin = System.nanoTime();
        StringBuilder report = new StringBuilder();
        report.append(header(options));
        if (options.runsCommandLoad()) {
            report.append(System.lineSeparator()).append(LoadRun.cpuColumns());
        }
        List<LoadRun.Result> ours = List.of();
        Visibility.Figures[] ourVisibility = null;
        if (options.runs("load")) {
            LoadSection load = runLoad(home, options);
            report.append(load.markdown());
            ours = load.results();
            ourVisibility = load.visibility();
        }
        if (options.runs("peer")) {
            report.append(PeerSection.run(home.resolve("bench/target/bench-0.1.0-SNAPSHOT.jar"), options.accounts,
                    options.clients, options.systemWarmup, options.warmup, options.measured, options.visibilitySamples, ours,
                    ourVisibility));
        }
        if (options.runs("history")) {
            report.append(HistoryBenchmark.section(home, options.partitions, options.historyLengths, options.historySamples));
        }
        if (options.runs("rebuild")) {
            report.append(RebuildBenchmark.section(home, home.resolve("bin/rebuild-projections"), options.rebuildAccounts,
                    options.rebuildEventsPerAccount, options.partitions));
        }
        if (options.runs("restore")) {
            report.append(RestoreBenchmark.section(home, options.rebuildAccounts, options.rebuildEventsPerAccount,
                    options.partitions));
        }
        report.append(String.format("%nWhole run: %.0f s; load average at the end: %s.%n", (System.nanoTime() - begin) / 1e9,
                loadAverage()));
        System.out.println(report);
        System.out.println("bench: results written to " + results.write(report.toString(), ZonedDateTime.now()));
    }

    /** {@code visibility}: on an idle system, then while the most clients of the run write. */
    record LoadSection(String markdown, List<LoadRun.Result> results, Visibility.Figures[] visibility) {
    }

    private static LoadSection runLoad(Path home, BenchOptions options) throws Exception {
        System.out.printf("%nbench: starting the stack%n");
        long begin = System.nanoTime();
        StringBuilder section = new StringBuilder();
        try (LocalStack stack = LocalStack.startTemporary(home, "bench-", StackPorts.free(),
                options.partitions, Map.of(), System.out)) {
            double startup = (System.nanoTime() - begin) / 1e9;
            BankClient client = new BankClient(stack.commandUrl(), stack.queryUrl(), BenchTokens.teller(stack));
            section.append(ceilings(stack.kafkaClientProperties(KafkaCredentials.ADMIN), options));

            System.out.printf("bench: opening %,d accounts%n", options.accounts);
            long openStart = System.nanoTime();
            List<String> accounts = openAccounts(client, options.accounts);
            double openSeconds = (System.nanoTime() - openStart) / 1e9;

            Map<String, List<Long>> processes = processGroups(stack.pids());
            LoadRun.warmUp(client, options.systemWarmup, options.clients, accounts, processes);
            List<LoadRun.Result> results = LoadRun.spreadThenHot(client, options.clients, options.warmup, options.measured,
                    accounts, processes);
            LoadRun.settle(processes);
            Map<String, Object> observerKafka = stack.kafkaClientProperties(KafkaCredentials.ADMIN);
            Visibility.Figures[] visibility = visibility(client, accounts, options.visibilitySamples,
                    maxClients(options.clients), options.measured,
                    () -> new Visibility.HopObserver(observerKafka, List.of(Topics.EVENTS.name(), Topics.STATE.name())));
            String longHistory = longHistory(client, accounts.get(0), accounts.get(2), options.visibilitySamples);

            section.append(String.format("%n## Ours: the direct write path, %d partitions%n%n", options.partitions));
            section.append(String.format("Stack start to all healthy: %.1f s. Opening %,d accounts with 64 clients: %.1f s (%,.0f/s).%n%n",
                    startup, accounts.size(), openSeconds, accounts.size() / openSeconds));
            section.append(LoadRun.table(results));
            section.append(visibilityText("the query service", visibility, maxClients(options.clients)));
            section.append(longHistory);
            section.append("Resident memory after the runs: ").append(residentMemory(stack.pids())).append(".\n");
            return new LoadSection(section.toString(), results, visibility);
        }
    }

    private static String ceilings(Map<String, Object> kafka, BenchOptions options) throws Exception {
        StringBuilder table = new StringBuilder(String.format("""

                ## Ceilings: the plain Kafka producer on this machine

                What the broker does at best, next to the idle stack, %d s per run: an acknowledged produce, and a
                transaction of 3 records (what one command of ours commits: its event, the account's aggregate and,
                with an Idempotency-Key, its outcome; under load one transaction carries many commands).

                | operation | clients | per second | p50 ms | p99 ms |
                |---|---:|---:|---:|---:|
                """, options.measured.toSeconds()));
        for (KafkaCeilings.Figure figure : KafkaCeilings.measure(kafka, options.clients, options.measured)) {
            table.append(String.format("| %s | %d | %,.0f | %.1f | %.1f |%n", figure.what(), figure.clients(),
                    figure.perSecond(), figure.p50Millis(), figure.p99Millis()));
        }
        return table.toString();
    }

    static List<String> openAccounts(BankClient client, int count) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(64);
        try {
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                futures.add(pool.submit(client::open));
            }
            List<String> accounts = new ArrayList<>();
            for (Future<String> future : futures) {
                accounts.add(future.get());
                if (accounts.size() % 2000 == 0) {
                    System.out.printf("  opened %,d of %,d accounts%n", accounts.size(), count);
                }
            }
            return accounts;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Command-to-visible on {@code accounts.get(1)}: idle, then while the run's most clients deposit to the accounts
     * from the third on; an observer from {@code observers} (null for the peer) times the hops in a pass of its own.
     */
    static Visibility.Figures[] visibility(BankClient client, List<String> accounts, int samples, int loadClients,
                                           Duration loadDuration, Supplier<Visibility.HopObserver> observers)
            throws Exception {
        Visibility.Figures idle = Visibility.idle(client, accounts.get(1), samples, observers);
        Visibility.Figures loaded = Visibility.underLoad(client, accounts.get(1), accounts.subList(2, accounts.size()),
                loadClients, loadDuration, samples, observers);
        return new Visibility.Figures[] {idle, loaded};
    }

    static int maxClients(int[] clients) {
        return Arrays.stream(clients).max().orElse(1);
    }

    /** The markdown line for both visibility measurements of {@code where}. */
    static String visibilityText(String where, Visibility.Figures[] figures, int loadClients) {
        return String.format("%nCommand 2xx to visible in %s (`minVersion` read by the measuring client, one deposit at a time, "
                        + "after %d s of the same pairs unmeasured, which warm the read path: %,d pairs here): "
                        + "idle, %s; while %d other clients write, %s.%n%n", where, Visibility.READ_WARMUP.toSeconds(),
                figures[0].warmupPairs(), figures[0].describe(), loadClients, figures[1].describe());
    }

    /**
     * The write side never folds an account's events: its current state is one store read. Shown by deposits, one
     * at a time, to the hot account (thousands of events by now) and to an account that has had few.
     */
    static String longHistory(BankClient client, String hot, String quiet, int samples) throws Exception {
        System.out.printf("bench: deposits to an account with a long history and to one with a short one, %d each%n", samples);
        long[] hotVersion = {0};
        Histogram onHot = sequentialDeposits(client, hot, samples, hotVersion);
        long[] quietVersion = {0};
        Histogram onQuiet = sequentialDeposits(client, quiet, samples, quietVersion);
        return String.format("Deposits one at a time (%d each, 1 client): to the hot account, at version %,d by then, p50 %.1f ms, "
                        + "p99 %.1f ms; to an account at version %,d, p50 %.1f ms, p99 %.1f ms.%n%n", samples,
                hotVersion[0], onHot.getValueAtPercentile(50) / 1000.0, onHot.getValueAtPercentile(99) / 1000.0,
                quietVersion[0], onQuiet.getValueAtPercentile(50) / 1000.0, onQuiet.getValueAtPercentile(99) / 1000.0);
    }

    private static Histogram sequentialDeposits(BankClient client, String account, int samples, long[] lastVersion)
            throws Exception {
        Histogram histogram = new Histogram(3);
        for (int i = 0; i < samples; i++) {
            long start = System.nanoTime();
            BankClient.Outcome outcome = client.deposit(account);
            if (outcome.status() == 200) {
                histogram.recordValue((System.nanoTime() - start) / 1000);
                lastVersion[0] = outcome.version();
            }
        }
        return histogram;
    }

    /**
     * Our processes by the group their CPU is shown under: {@code broker}, {@code command} (every command-service
     * instance), {@code projection}, {@code query}, {@code registry}.
     */
    static Map<String, List<Long>> processGroups(Map<String, Long> stackPids) {
        Map<String, String> groupOf = new LinkedHashMap<>();
        groupOf.put("kafka", "broker");
        groupOf.put("command-service", "command");
        groupOf.put("projection-service", "projection");
        groupOf.put("query-service", "query");
        groupOf.put("schema-registry", "registry");
        Map<String, List<Long>> groups = new LinkedHashMap<>();
        groupOf.values().forEach(group -> groups.put(group, new ArrayList<>()));
        stackPids.forEach((name, pid) -> groupOf.entrySet().stream()
                // a second instance is named after its module and port, e.g. command-service-18080
                .filter(module -> name.equals(module.getKey()) || name.startsWith(module.getKey() + "-"))
                .findFirst()
                .ifPresentOrElse(module -> groups.get(module.getValue()).add(pid),
                        () -> groups.put(name, new ArrayList<>(List.of(pid)))));
        return groups;
    }

    /** The contents of {@code /proc/loadavg}, for the report's record of how busy the machine was. */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    static String residentMemory(Map<String, Long> pids) {
        List<String> rss = new ArrayList<>();
        pids.forEach((name, pid) -> rss.add(name + " " + residentMegabytes(pid) + " MB"));
        return String.join(", ", rss);
    }

    private static long residentMegabytes(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status")).stream()
                    .filter(line -> line.startsWith("VmRSS:"))
                    .map(line -> Long.parseLong(line.replaceAll("\\D", "")) / 1024)
                    .findFirst().orElse(-1L);
        } catch (IOException e) {
            return -1;
        }
    }

    private static String header(BenchOptions options) throws IOException {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
        long memoryGb = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                .findFirst().map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024 / 1024).orElse(-1L);
        String machine = String.format("""
                # Benchmarks

                Generated by `bin/bench %s` on %s.

                Machine: %d cores (%s), %d GiB, Java %s. The broker, registry, three services and %s all
                share this machine; topics with %d partitions. Load average (`/proc/loadavg`: 1, 5 and 15 minutes,
                runnable/all threads, last pid) at the start: %s.
                """, String.join(" ", options.args),
                ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
                Runtime.getRuntime().availableProcessors(), cpu, memoryGb, System.getProperty("java.version"),
                options.runsCommandLoad() ? "the load generator" : "this benchmark's own JVM",
                options.partitions, loadAverage());
        if (!options.runsCommandLoad()) {
            // each other section says how it measures in its own text
            return machine;
        }
        return machine + String.format("""

                Load and peer: each system (ours, then the peer) is first warmed up for %d s
                (the spread workload, then the hot account, at each client count of the runs, largest first, not
                measured: the JIT compilers' work is not what the runs measure), then for up to 4 more rounds of a
                third of that until its JIT compiler threads use less than 3 %% of one core (each run's `JIT
                compilers` figure shows what they still used). Before each run the system settles:
                up to 60 s until its processes use less than 15 %% of one core for 3 s in a row (a read side catching
                up, or compaction after a burst, is not what the next run measures). Each run: %d s warm-up, %d s
                measured, closed-loop clients each sending a deposit of 1.00 and waiting for its 2xx; %,d accounts for
                the spread workload.
                """, options.systemWarmup.toSeconds(), options.warmup.toSeconds(), options.measured.toSeconds(),
                options.accounts);
    }
}
