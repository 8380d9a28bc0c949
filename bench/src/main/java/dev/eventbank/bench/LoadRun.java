package dev.eventbank.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * A closed-loop load: {@code clients} threads each send a deposit, wait for the answer, and send the next,
 * for a warm-up (not recorded) and then a measured period. Latency is from request start to response end.
 * A progress line is printed every five seconds.
 */
final class LoadRun {

    private LoadRun() {
    }

    record Result(String scenario, int clients, long commands, long errors, double seconds, Histogram latencyMicros) {

        double perSecond() {
            return commands / seconds;
        }

        double millisAt(double percentile) {
            return latencyMicros.getValueAtPercentile(percentile) / 1000.0;
        }
    }

    /**
     * The benchmarks' workload: for each client count, a run spread over {@code accounts}, then one on the hot
     * account ({@code accounts[0]}); in that order.
     */
    static List<Result> spreadThenHot(BankClient client, int[] clients, Duration warmup, Duration measured,
                                      List<String> accounts) throws InterruptedException {
        String hot = accounts.get(0);
        List<Result> results = new ArrayList<>();
        for (int n : clients) {
            results.add(run(client, "spread", n, warmup, measured, random -> accounts.get(random % accounts.size())));
        }
        for (int n : clients) {
            results.add(run(client, "hot account", n, warmup, measured, random -> hot));
        }
        return results;
    }

    /** {@code results} as a markdown table, one row each. */
    static String table(List<Result> results) {
        StringBuilder table = new StringBuilder("""
                | workload | clients | commands/s | p50 ms | p99 ms | max ms | errors |
                |---|---:|---:|---:|---:|---:|---:|
                """);
        for (Result r : results) {
            table.append(String.format("| %s | %d | %,.0f | %.1f | %.1f | %.1f | %d |%n", r.scenario(), r.clients(),
                    r.perSecond(), r.millisAt(50), r.millisAt(99), r.latencyMicros().getMaxValue() / 1000.0, r.errors()));
        }
        return table.toString();
    }

    /** {@code accountFor} picks the account for a client's next command from a random index. */
    static Result run(BankClient client, String scenario, int clients, Duration warmup, Duration measured,
                      IntFunction<String> accountFor) throws InterruptedException {
        Recorder recorder = new Recorder(3);
        AtomicLong commands = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        Map<Integer, Long> statuses = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        long measureFrom = start + warmup.toNanos();
        long end = measureFrom + measured.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Thread thread = new Thread(() -> {
                while (System.nanoTime() < end) {
                    String account = accountFor.apply(ThreadLocalRandom.current().nextInt(Integer.MAX_VALUE));
                    long before = System.nanoTime();
                    int status;
                    try {
                        status = client.deposit(account).status();
                    } catch (Exception e) {
                        status = -1;
                    }
                    long after = System.nanoTime();
                    if (before >= measureFrom && after <= end) {
                        if (status == 200) {
                            recorder.recordValue((after - before) / 1000);
                            commands.incrementAndGet();
                        } else {
                            errors.incrementAndGet();
                            statuses.merge(status, 1L, Long::sum);
                        }
                    }
                }
            }, "load-" + i);
            thread.start();
            threads.add(thread);
        }
        Histogram total = new Histogram(3);
        while (threads.stream().anyMatch(Thread::isAlive)) {
            Thread.sleep(5000);
            Histogram interval = recorder.getIntervalHistogram();
            total.add(interval);
            long now = System.nanoTime();
            if (now > measureFrom && interval.getTotalCount() > 0) {
                System.out.printf("  %s, %d clients: %,d commands so far, %,.0f/s in the last 5 s, p50 %.1f ms, p99 %.1f ms%n",
                        scenario, clients, total.getTotalCount(), interval.getTotalCount() / 5.0,
                        interval.getValueAtPercentile(50) / 1000.0, interval.getValueAtPercentile(99) / 1000.0);
            } else {
                System.out.printf("  %s, %d clients: warming up%n", scenario, clients);
            }
        }
        for (Thread thread : threads) {
            thread.join();
        }
        total.add(recorder.getIntervalHistogram());
        if (!statuses.isEmpty()) {
            System.out.printf("  %s, %d clients: non-2xx answers %s%n", scenario, clients, statuses);
        }
        return new Result(scenario, clients, commands.get(), errors.get(), measured.toNanos() / 1e9, total);
    }
}
