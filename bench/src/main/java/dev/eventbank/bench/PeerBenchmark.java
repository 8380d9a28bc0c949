package dev.eventbank.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbank.bench.peer.AxonPeer;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Axon + PostgreSQL peer alone, for trying it without our stack: starts {@link AxonPeer}, opens accounts, runs
 * the spread and hot-account loads at 1, 16 and 64 clients with the same {@link LoadRun} and {@link BankClient} as
 * {@code bin/bench}, measures command-to-query visibility, then checks correctness (see {@code consistency}): versions
 * without gaps, the read model equal to the stored deposits, and no acknowledged deposit lost or doubled while many
 * clients deposit concurrently on the same few accounts.
 *
 * <p>Run: {@code java -cp bench/target/bench-0.1.0-SNAPSHOT.jar dev.eventbank.bench.PeerBenchmark [--accounts N]
 * [--seconds N] [--warmup N] [--clients 1,16,64] [--processor tracking|pooled]}.
 *
 * <p>Limits: the load generator shares the machine with PostgreSQL and the Axon JVM; figures compare runs on one
 * machine, they are not absolutes.
 */
public final class PeerBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PeerBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int accountCount = 1000;
        Duration warmup = Duration.ofSeconds(2);
        Duration measured = Duration.ofSeconds(5);
        int[] clients = {1, 16, 64};
        List<String> serverOptions = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--accounts" -> accountCount = Integer.parseInt(args[++i]);
                case "--seconds" -> measured = Duration.ofSeconds(Long.parseLong(args[++i]));
                case "--warmup" -> warmup = Duration.ofSeconds(Long.parseLong(args[++i]));
                case "--processor" -> serverOptions.addAll(List.of("--processor", args[++i]));
                case "--clients" -> clients = java.util.Arrays.stream(args[++i].split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (options: --accounts N --seconds N --warmup N --clients 1,16,64 --processor tracking|pooled)");
            }
        }
        Path jar = Path.of(PeerBenchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (!Files.isRegularFile(jar)) {
            jar = Path.of("bench/target/bench-0.1.0-SNAPSHOT.jar");
        }
        try (AxonPeer peer = AxonPeer.start(jar, System.out, serverOptions)) {
            BankClient client = new BankClient(peer.commandUrl(), peer.queryUrl(), BenchTokens.forPeer());
            System.out.printf("peer: opening %,d accounts%n", accountCount);
            long openStart = System.nanoTime();
            List<String> accounts = Benchmarks.openAccounts(client, accountCount);
            double openSeconds = (System.nanoTime() - openStart) / 1e9;

            List<LoadRun.Result> results = LoadRun.spreadThenHot(client, clients, warmup, measured, accounts,
                    peer.processGroups());
            Visibility.Figures idle = Visibility.idle(client, accounts.get(1), 100, null);

            System.out.printf("%nPeer: Axon Framework + PostgreSQL (load average %s)%n%n", Benchmarks.loadAverage());
            System.out.println(peer.description());
            System.out.printf("%nOpening %,d accounts with 64 clients: %.1f s (%,.0f/s).%n%n", accounts.size(), openSeconds,
                    accounts.size() / openSeconds);
            System.out.print(LoadRun.table(results));
            System.out.printf("%n%s", LoadRun.cpuColumns());
            System.out.printf("%nCommand 2xx to visible in the read model (`minVersion` read, 1 client): %s.%n",
                    idle.describe());
            System.out.printf("Resident memory after the runs: %s, all %d PostgreSQL processes together %d MB (PSS: "
                    + "shared buffers counted once).%n", Benchmarks.residentMemory(peer.pids()), peer.postgresPids().size(),
                    peer.postgresMegabytes());
            System.out.println(consistency(peer, client, reader(peer.queryUrl())));
        }
    }

    /**
     * Two checks. Over the event store, for every account: its sequence numbers run 0..n-1 (the table's unique key
     * on account and sequence number makes count = max + 1 mean no gap), and the read model, read with
     * {@code minVersion = n}, has version n and a balance equal to the sum of the deposited amounts in the stored
     * events. Then a tracked run: 16 clients deposit 1.00 on 10 fresh accounts for 3 s, counting every 200; each
     * account's acknowledged versions must be exactly 2..k+1 and its balance k x 1.00, so no acknowledged deposit is
     * lost or doubled and concurrent deposits on one account were serialized. Last, 50 deposits are each looked up
     * in the event store right after their 200: a 200 means the event is committed.
     */
    private static String consistency(AxonPeer peer, BankClient client, ObjectReader reader) throws Exception {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        long events = 0;
        try (Connection db = DriverManager.getConnection(peer.jdbcUrl(), "postgres", "");
             Statement statement = db.createStatement();
             ResultSet rs = statement.executeQuery("SELECT aggregateidentifier, count(*), max(sequencenumber), "
                     + "coalesce(sum((convert_from(payload, 'UTF8')::json->>'amount')::numeric) "
                     + "FILTER (WHERE payloadtype LIKE '%MoneyDeposited'), 0) FROM domainevententry GROUP BY aggregateidentifier")) {
            while (rs.next()) {
                String account = rs.getString(1);
                long count = rs.getLong(2);
                long maxSequence = rs.getLong(3);
                BigDecimal deposited = rs.getBigDecimal(4);
                events += count;
                if (count != maxSequence + 1) {
                    problems.add(account + ": " + count + " events but highest sequence number " + maxSequence);
                }
                JsonNode state = reader.read(account, count);
                if (state.path("version").asLong() != count
                        || new BigDecimal(state.path("balance").asText("NaN")).compareTo(deposited) != 0) {
                    problems.add(account + ": read model " + state + ", event store " + count + " events, deposits " + deposited);
                }
                checked++;
            }
        }

        List<String> fresh = Benchmarks.openAccounts(client, 10);
        Map<String, List<Long>> acknowledged = new ConcurrentHashMap<>();
        AtomicLong failures = new AtomicLong();
        long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                runs.add(pool.submit(() -> {
                    while (System.nanoTime() < end) {
                        String account = fresh.get(ThreadLocalRandom.current().nextInt(fresh.size()));
                        BankClient.Outcome outcome = client.deposit(account);
                        if (outcome.status() == 200) {
                            acknowledged.computeIfAbsent(account, k -> Collections.synchronizedList(new ArrayList<>()))
                                    .add(outcome.version());
                        } else {
                            failures.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get();
            }
        } finally {
            pool.shutdownNow();
        }
        long trackedDeposits = 0;
        for (String account : fresh) {
            List<Long> versions = new ArrayList<>(acknowledged.getOrDefault(account, List.of()));
            versions.sort(null);
            trackedDeposits += versions.size();
            for (int i = 0; i < versions.size(); i++) {
                if (versions.get(i) != i + 2) {
                    problems.add(account + ": acknowledged versions are not 2.." + (versions.size() + 1) + ": " + versions);
                    break;
                }
            }
            JsonNode state = reader.read(account, versions.size() + 1L);
            BigDecimal expected = new BigDecimal("1.00").multiply(BigDecimal.valueOf(versions.size()));
            if (new BigDecimal(state.path("balance").asText("NaN")).compareTo(expected) != 0) {
                problems.add(account + ": balance " + state.path("balance").asText() + " after " + versions.size()
                        + " acknowledged deposits");
            }
        }
        if (failures.get() > 0) {
            problems.add(failures.get() + " deposits of the tracked run were not answered 200");
        }

        // a 200 means committed: each acknowledged event is in the table, for another connection, at once
        int committedChecks = 50;
        try (Connection db = DriverManager.getConnection(peer.jdbcUrl(), "postgres", "");
             PreparedStatement stored = db.prepareStatement("SELECT count(*) FROM domainevententry "
                     + "WHERE aggregateidentifier = ? AND sequencenumber = ?")) {
            for (int i = 0; i < committedChecks; i++) {
                String account = fresh.get(i % fresh.size());
                BankClient.Outcome outcome = client.deposit(account);
                stored.setString(1, account);
                stored.setLong(2, outcome.version() - 1);
                try (ResultSet rs = stored.executeQuery()) {
                    rs.next();
                    if (outcome.status() != 200 || rs.getLong(1) != 1) {
                        problems.add(account + ": deposit answered " + outcome + " but the event store has "
                                + rs.getLong(1) + " event(s) at that version");
                    }
                }
            }
        }
        return String.format("Consistency: %s. Event store: %d accounts, %,d events, sequence numbers gap-free and the "
                        + "read model's version and balance equal to the stored deposits for every account. Tracked run: "
                        + "%,d deposits by 16 clients on 10 accounts, each account's acknowledged versions exactly 2..n+1 "
                        + "and its balance n x 1.00. %d deposits each found committed in the event store right after their 200%s",
                problems.isEmpty() ? "OK" : "FAILED", checked, events, trackedDeposits, committedChecks,
                problems.isEmpty() ? "." : ":\n  " + String.join("\n  ", problems.subList(0, Math.min(20, problems.size()))));
    }

    /** {@code GET /accounts/{id}?minVersion=V} answered 200, as JSON. */
    @FunctionalInterface
    private interface ObjectReader {
        JsonNode read(String accountId, long minVersion) throws Exception;
    }

    private static ObjectReader reader(String queryUrl) {
        HttpClient http = HttpClient.newHttpClient();
        String authorization = BenchTokens.forPeer();
        return (accountId, minVersion) -> {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(queryUrl + "/accounts/" + accountId
                    + "?minVersion=" + minVersion)).timeout(Duration.ofSeconds(30)).header("Authorization", authorization)
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("read of " + accountId + " answered " + response.statusCode() + " " + response.body());
            }
            return JSON.readTree(response.body());
        };
    }
}
