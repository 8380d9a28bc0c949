package dev.eventbank.bench;

import dev.eventbank.localkafka.KafkaCredentials;
import dev.eventbank.localstack.LocalStack;
import dev.eventbank.localstack.StackPorts;
import dev.eventbank.schemas.serde.SchemaRegistryClients;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loading one account as its history grows, with and without snapshots: the time-travel read
 * ({@code GET /accounts/{id}?asOfVersion=n-1}, relayed by the query service to the projection, which folds from the
 * nearest snapshot) on accounts with 10 to 100,000 events, on a stack with the default snapshot policy (every 100
 * events) and on one with snapshots turned off. The histories are written straight into the event log
 * ({@link EventLogFiller}).
 *
 * <p>The write side has no such load: the command processor keeps each aggregate's current state in its store and
 * never folds events to decide a command; {@link Benchmarks} measures that on the hot account.
 */
final class HistoryBenchmark {

    private static final int WARM_UP = 20;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private HistoryBenchmark() {
    }

    static String section(Path home, int partitions, int[] lengths, int samples) throws Exception {
        Map<String, Map<Integer, double[]>> figures = new LinkedHashMap<>();
        figures.put("snapshots every 100 events (default)", measure(home, partitions, lengths, samples, "100"));
        figures.put("no snapshots", measure(home, partitions, lengths, samples, "0"));
        StringBuilder out = new StringBuilder(String.format("""

                ## Loading an account: time travel with and without snapshots

                `GET /accounts/{id}?asOfVersion=n-1` on the query service (relayed to the projection service, which
                folds the account from its nearest snapshot at or before that version), for one account with n events,
                %d reads after %d warm-up reads, 1 client. Each policy on a stack of its own
                (`eventbank.snapshots.every-events` 100, then 0).

                The last column is the time from the first event written to the last one visible in the query
                service: one account's backlog projected in one partition.

                | events in the account | snapshots | p50 ms | p99 ms | written to visible, s |
                |---:|---|---:|---:|---:|
                """, samples, WARM_UP));
        for (int length : lengths) {
            figures.forEach((policy, byLength) -> out.append(String.format("| %,d | %s | %.1f | %.1f | %.1f |%n", length,
                    policy, byLength.get(length)[0], byLength.get(length)[1], byLength.get(length)[2])));
        }
        return out.toString();
    }

    private static Map<Integer, double[]> measure(Path home, int partitions, int[] lengths, int samples, String everyEvents)
            throws Exception {
        System.out.printf("%nbench: history, starting a stack with eventbank.snapshots.every-events=%s%n", everyEvents);
        Map<Integer, double[]> byLength = new LinkedHashMap<>();
        try (LocalStack stack = LocalStack.startTemporary(home, "bench-history-", StackPorts.free(), partitions,
                Map.of("projection-service/eventbank.snapshots.every-events", everyEvents), System.out)) {
            var registry = SchemaRegistryClients.forConfig(stack.registryWriterConfig());
            String authorization = BenchTokens.teller(stack);
            for (int length : lengths) {
                String account = EventLogFiller.accountIds("bench-history-" + length + "-", 1).get(0);
                System.out.printf("bench: history, writing %,d events to account %s%n", length, account);
                long start = System.nanoTime();
                EventLogFiller.fill(stack.kafkaClientProperties(KafkaCredentials.ADMIN), registry, List.of(account), length);
                awaitVisible(stack.queryUrl(), account, length, authorization);
                double toVisible = (System.nanoTime() - start) / 1e9;
                double[] timeTravel = timeTravel(stack.queryUrl(), account, length - 1, samples, authorization);
                byLength.put(length, new double[] {timeTravel[0], timeTravel[1], toVisible});
                System.out.printf("  %,d events: visible after %.1f s; time travel p50 %.1f ms, p99 %.1f ms%n", length,
                        toVisible, timeTravel[0], timeTravel[1]);
            }
        }
        return byLength;
    }

    /** Waits, for at most five minutes, until the query service shows the account at {@code version}. */
    private static void awaitVisible(String queryUrl, String account, long version, String authorization) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (status(queryUrl + "/accounts/" + account + "?minVersion=" + version + "&maxWait=5000", authorization) != 200) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("account " + account + " did not reach version " + version + " in 5 minutes");
            }
            System.out.printf("  waiting for the projection to reach version %,d%n", version);
        }
    }

    /** p50 and p99 in ms of {@code samples} time-travel reads after {@value #WARM_UP} warm-ups. */
    private static double[] timeTravel(String queryUrl, String account, long version, int samples, String authorization)
            throws Exception {
        String url = queryUrl + "/accounts/" + account + "?asOfVersion=" + version;
        long[] nanos = new long[samples];
        for (int i = -WARM_UP; i < samples; i++) {
            long start = System.nanoTime();
            int status = status(url, authorization);
            if (status != 200) {
                throw new IllegalStateException(url + " answered " + status);
            }
            if (i >= 0) {
                nanos[i] = System.nanoTime() - start;
            }
        }
        Arrays.sort(nanos);
        return new double[] {nanos[samples / 2] / 1e6, nanos[Math.min(samples - 1, (int) Math.ceil(samples * 0.99) - 1)] / 1e6};
    }

    private static int status(String url, String authorization) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                        .header("Authorization", authorization).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
