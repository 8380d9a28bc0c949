package dev.eventbank.bench;

import dev.eventbank.bench.proc.ProcStat;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * A closed-loop load: {@code clients} threads each send a deposit, wait for the answer, and send the next,
 * for a warm-up (not recorded) and then a measured period. Latency is from request start to response end.
 * The CPU time of the system under test's processes, of this JVM (the load generator) and of the whole machine is
 * read from {@code /proc} ({@link ProcStat}) at the start and the end of the measured period.
 * A progress line is printed every five seconds.
 */
final class LoadRun {

    private LoadRun() {
    }

    /**
     * One load point.
     *
     * @param commands      2xx answers to commands sent and answered inside the measured period (throughput, latency)
     * @param errors        non-2xx answers and failures inside the measured period
     * @param seconds       the measured period, s
     * @param latencyMicros latency of the {@code commands}, microseconds
     * @param answered      2xx answers received inside the measured period, whenever their command was sent: the
     *                      work whose CPU the period holds, so the divisor of the CPU per command (with many clients
     *                      and long latencies it exceeds {@code commands} by up to one command per client)
     * @param cpu           the CPU used during the measured period, null if it could not be read
     */
    record Result(String scenario, int clients, long commands, long errors, double seconds, Histogram latencyMicros,
                  long answered, CpuUse cpu) {

        double perSecond() {
            return commands / seconds;
        }

        double millisAt(double percentile) {
            return latencyMicros.getValueAtPercentile(percentile) / 1000.0;
        }

        /** CPU of all the system under test's processes per command answered 2xx in the period, ms; NaN if unknown. */
        double systemMillisPerCommand() {
            return cpu == null || answered == 0 ? Double.NaN : cpu.systemMillis() / answered;
        }
    }

    /**
     * The benchmarks' workload: for each client count, a run spread over {@code accounts}, then one on the hot
     * account ({@code accounts[0]}); in that order.
     */
    static List<Result> spreadThenHot(BankClient client, int[] clients, Duration warmup, Duration measured,
                                      List<String> accounts, Map<String, List<Long>> processes) throws InterruptedException {
        String hot = accounts.get(0);
        List<Result> results = new ArrayList<>();
        for (int n : clients) {
            settle(processes);
            results.add(run(client, "spread", n, warmup, measured, random -> accounts.get(random % accounts.size()),
                    processes));
        }
        for (int n : clients) {
            settle(processes);
            results.add(run(client, "hot account", n, warmup, measured, random -> hot, processes));
        }
        return results;
    }

    /** A system under test whose processes use less CPU than this, per second, has settled: 15 % of one core. */
    static final double SETTLED_MILLIS_PER_SECOND = 150;
    /** Longest {@link #settle} waits. */
    static final Duration SETTLE_AT_MOST = Duration.ofSeconds(60);
    /** Consecutive quiet seconds that make a settled system. */
    static final int SETTLED_SECONDS = 3;

    /**
     * Waits, at most {@link #SETTLE_AT_MOST}, until the system under test has finished the work the last run left
     * it (a read side catching up, compaction, a checkpoint): until its {@code processes} used less than
     * {@link #SETTLED_MILLIS_PER_SECOND} ms of CPU in each of {@link #SETTLED_SECONDS} seconds in a row. Both
     * systems get the same. Without it a run can measure what the one before left: after a warm-up that ended at 64
     * clients on the hot account, the next (one-client) run had twice the CPU per command of the run before, broker
     * and projection alike (bench run of 2026-12-01 22:58 UTC; most likely compaction and the read side catching
     * up). Prints one line per second of waiting; does nothing without {@code /proc}.
     */
    static void settle(Map<String, List<Long>> processes) throws InterruptedException {
        if (processes.isEmpty() || !ProcStat.available()) {
            return;
        }
        long start = System.nanoTime();
        long deadline = start + SETTLE_AT_MOST.toNanos();
        ProcStat.Snapshot before = ProcStat.snapshot(processes);
        int quiet = 0;
        while (true) {
            Thread.sleep(1_000);
            ProcStat.Snapshot after = ProcStat.snapshot(processes);
            CpuUse used = CpuUse.between(before, after);
            double perSecond = used == null ? 0 : used.systemMillis() / used.seconds();
            double waited = (System.nanoTime() - start) / 1e9;
            quiet = perSecond < SETTLED_MILLIS_PER_SECOND ? quiet + 1 : 0;
            if (quiet == SETTLED_SECONDS) {
                if (waited > SETTLED_SECONDS + 0.5) {
                    System.out.printf("  settled after %.0f s (%.0f ms of CPU in the last second)%n", waited, perSecond);
                }
                return;
            }
            if (System.nanoTime() > deadline) {
                System.out.printf("  not settled after %.0f s (%.0f ms of CPU in the last second): measuring anyway%n",
                        waited, perSecond);
                return;
            }
            System.out.printf("  settling: the system used %.0f ms of CPU in the last second%n", perSecond);
            before = after;
        }
    }

    /**
     * Warms a freshly started system up before anything is measured: for each client count of {@code clients},
     * largest first, the spread workload, then the hot account; {@code duration} in all, shared equally, nothing
     * recorded. Largest first, so that the background work a burst leaves (compaction, the read side catching up)
     * has begun before the measured runs, which start small. Both systems get the same, since a measured run would
     * otherwise time the JIT compilers (ours runs five JVMs, the peer one JVM and PostgreSQL). Every count the runs
     * use is warmed, because each takes paths the others leave cold: a larger one bigger batches and more
     * connections (with only 16 clients warmed, the command service's C2 compiler thread took 12 % of the
     * machine's CPU samples in the measured spread run at 64 clients, {@code perf record -a}, 2026-12-01 22:46
     * UTC), a single client lone commands, each a batch and a transaction of its own. Two runs back to back
     * ({@code bin/bench --only load --clients 1,16 --accounts 1000 --seconds 20}, 2026-12-02 19:26 and 19:36 UTC,
     * docs/benchmarks-warmup-from-16.md and docs/benchmarks-warmup-every-count.md): with the counts from 16 up
     * warmed, the first measured run (spread, one client) cost 23.8 ms of CPU per command at p50 12.1 ms with the
     * machine 98 % busy; with one client warmed too (and 90 s of warm-up, not 60), 6.2 ms at 3.8 ms (that first
     * machine was slower throughout, 421 against 957 commands/s spread at 16 clients, so not all of it is the
     * warm-up).
     *
     * <p>Then, with {@code /proc}, more rounds of a third of {@code duration} each, at most
     * {@link #JIT_MAX_EXTRA_ROUNDS}, until the JIT compiler threads of the system's {@code processes} used less than
     * {@link #JIT_SETTLED_MILLIS_PER_SECOND} ms of CPU per second during a round: a probe of 2026-12-03 (30 s of
     * warm-up, one client) found the compiler threads of each of our JVMs still using 150 to 200 ms per second in
     * the measured runs, most of the CPU per command (docs/write-side-performance.md, "2026-12-03").
     */
    static void warmUp(BankClient client, Duration duration, int[] clients, List<String> accounts,
                       Map<String, List<Long>> processes) throws InterruptedException {
        if (duration.isZero()) {
            return;
        }
        int[] counts = warmUpCounts(clients);
        System.out.printf("  warming the system up for %d s (not measured)%n", duration.toSeconds());
        warmUpRound(client, duration, counts, accounts);
        if (processes.isEmpty() || !ProcStat.available()) {
            return;
        }
        // the JIT compilers' own settling: more rounds while they still work
        Duration round = duration.dividedBy(JIT_ROUNDS_PER_WARM_UP);
        for (int extra = 1; ; extra++) {
            ProcStat.Snapshot before = ProcStat.snapshot(processes);
            warmUpRound(client, round, counts, accounts);
            CpuUse used = CpuUse.between(before, ProcStat.snapshot(processes));
            double perSecond = used == null ? 0 : used.compilerMillis() / used.seconds();
            if (perSecond < JIT_SETTLED_MILLIS_PER_SECOND) {
                System.out.printf("  warm-up: the JIT compilers used %.0f ms of CPU per second in the last %d s: settled%n",
                        perSecond, round.toSeconds());
                return;
            }
            if (extra == JIT_MAX_EXTRA_ROUNDS) {
                System.out.printf("  warm-up: the JIT compilers still used %.0f ms of CPU per second after %d more"
                        + " rounds: measuring anyway%n", perSecond, extra);
                return;
            }
            System.out.printf("  warm-up: the JIT compilers used %.0f ms of CPU per second in the last %d s: one more"
                    + " round%n", perSecond, round.toSeconds());
        }
    }

    /** Compilers using less than this, per second and all processes together, have settled: 3 % of one core. */
    static final double JIT_SETTLED_MILLIS_PER_SECOND = 30;
    /** An extra warm-up round after the first lasts the warm-up's duration divided by this. */
    static final int JIT_ROUNDS_PER_WARM_UP = 3;
    /** Most extra warm-up rounds for the JIT compilers: with 90 s of warm-up, 4 rounds of 30 s. */
    static final int JIT_MAX_EXTRA_ROUNDS = 4;

    /** The spread workload, then the hot account, at each of {@code counts}; {@code duration} in all, shared equally. */
    private static void warmUpRound(BankClient client, Duration duration, int[] counts, List<String> accounts)
            throws InterruptedException {
        Duration each = duration.dividedBy(2L * counts.length);
        String hot = accounts.get(0);
        for (int n : counts) {
            run(client, "warm-up, spread", n, each, Duration.ZERO, random -> accounts.get(random % accounts.size()), Map.of());
            run(client, "warm-up, hot account", n, each, Duration.ZERO, random -> hot, Map.of());
        }
    }

    /** The distinct client counts of {@code clients}, largest first. */
    static int[] warmUpCounts(int[] clients) {
        return java.util.Arrays.stream(clients).boxed().distinct().sorted(java.util.Comparator.reverseOrder())
                .mapToInt(Integer::intValue).toArray();
    }

    /** {@code results} as a markdown table, one row each; {@link #cpuColumns()} says what the CPU columns mean. */
    static String table(List<Result> results) {
        StringBuilder table = new StringBuilder("""
                | workload | clients | commands/s | p50 ms | p99 ms | max ms | errors | CPU ms/command | by process, CPU ms/command | load generator, CPU ms/command | machine busy % |
                |---|---:|---:|---:|---:|---:|---:|---:|---|---:|---|
                """);
        for (Result r : results) {
            table.append(String.format("| %s | %d | %,.0f | %.1f | %.1f | %.1f | %d | %s |%n", r.scenario(), r.clients(),
                    r.perSecond(), r.millisAt(50), r.millisAt(99), r.latencyMicros().getMaxValue() / 1000.0, r.errors(),
                    cpuCells(r)));
        }
        return table.toString();
    }

    /** What the CPU columns of {@link #table} hold, one paragraph of markdown for the report. */
    static String cpuColumns() {
        return String.format("""
            CPU columns: the CPU time (user + system, all threads, read from `/proc/<pid>/stat` at the start and the end \
            of the measured period) of every process of the system under test, divided by the commands answered 2xx \
            during the period; `by process` splits it by process, the PostgreSQL figure covering the postmaster and \
            all its backends and workers (including those that exited, through the postmaster's `cutime`/`cstime`). \
            The load generator (this benchmark's JVM: client threads, HTTP client, GC) is shown apart, not in the \
            total. Machine busy: the share of all CPUs' time (`/proc/stat`) spent running anything during the \
            period, 100 %% meaning every core saturated; `rest` is the part neither the system under test nor the \
            load generator used (other processes on the machine, and interrupt handling such as the loopback \
            network's); `steal` is time the hypervisor gave to other machines. `JIT compilers`: the part of the \
            total that the JVMs' C1 and C2 compiler threads used (`/proc/<pid>/task/<tid>/stat`), work a warm system \
            no longer does. Resolution: one clock tick (%.0f ms here) per process per period.
            """, ProcStat.millis(1));
    }

    private static String cpuCells(Result r) {
        if (r.cpu() == null || r.answered() == 0) {
            return "n/a | n/a | n/a | n/a";
        }
        return String.format("%.2f | %s | %.2f | %s", r.systemMillisPerCommand(), byProcess(r),
                r.cpu().loadGeneratorMillis() / r.answered(), machine(r.cpu()));
    }

    /**
     * e.g. {@code broker 0.51, command 1.20 (JIT compilers 0.05)}: each process group's CPU per command answered, and
     * the part of their total that the JIT compiler threads used, ms.
     */
    private static String byProcess(Result r) {
        List<String> byProcess = new ArrayList<>();
        r.cpu().groupMillis().forEach((name, millis) -> byProcess.add(String.format("%s %.2f", name, millis / r.answered())));
        if (byProcess.isEmpty()) {
            return "";
        }
        return String.join(", ", byProcess) + String.format(" (JIT compilers %.2f)", r.cpu().compilerMillis() / r.answered());
    }

    /** e.g. {@code 97 (rest 5, steal 2)}: machine busy, and the parts of it that are not ours, in %. */
    private static String machine(CpuUse cpu) {
        // the processes' and the machine's ticks are rounded apart, so a rest near 0 can come out a tick below it
        String machine = String.format("%.0f (rest %.0f", 100 * cpu.machineBusy(), 100 * Math.max(0, cpu.restBusy()));
        // steal only shows on a virtual machine whose host is busy; a figure of 0 would only clutter the table
        return machine + (cpu.steal() >= 0.005 ? String.format(", steal %.0f)", 100 * cpu.steal()) : ")");
    }

    /**
     * {@code accountFor} picks the account for a client's next command from a random index; {@code processes} are
     * the system under test's process groups, a name each (e.g. {@code broker}) with the root pids of its process
     * trees, whose CPU is read at the start and the end of the measured period.
     */
    static Result run(BankClient client, String scenario, int clients, Duration warmup, Duration measured,
                      IntFunction<String> accountFor, Map<String, List<Long>> processes) throws InterruptedException {
        Recorder recorder = new Recorder(3);
        AtomicLong commands = new AtomicLong();
        AtomicLong answered = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        Map<Integer, Long> statuses = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        long measureFrom = start + warmup.toNanos();
        long end = measureFrom + measured.toNanos();
        // its own thread, so the readings fall on the period's edges and not on the progress loop's 5 s steps
        AtomicReference<CpuUse> cpu = new AtomicReference<>();
        Thread cpuReader = new Thread(() -> {
            sleepUntil(measureFrom);
            ProcStat.Snapshot before = ProcStat.snapshot(processes);
            sleepUntil(end);
            cpu.set(CpuUse.between(before, ProcStat.snapshot(processes)));
        }, "load-cpu");
        cpuReader.setDaemon(true);
        cpuReader.start();
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
                    if (status == 200 && after >= measureFrom && after <= end) {
                        answered.incrementAndGet();
                    }
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
        cpuReader.join();
        total.add(recorder.getIntervalHistogram());
        if (!statuses.isEmpty()) {
            System.out.printf("  %s, %d clients: non-2xx answers %s%n", scenario, clients, statuses);
        }
        Result result = new Result(scenario, clients, commands.get(), errors.get(), measured.toNanos() / 1e9, total,
                answered.get(), cpu.get());
        if (result.cpu() != null && result.answered() > 0) {
            System.out.printf("  %s, %d clients: CPU %.2f ms per command (%s), load generator %.2f ms, machine busy %% %s%n",
                    scenario, clients, result.systemMillisPerCommand(), byProcess(result),
                    result.cpu().loadGeneratorMillis() / result.answered(), machine(result.cpu()));
        }
        return result;
    }

    private static void sleepUntil(long nanoTime) {
        for (long left = nanoTime - System.nanoTime(); left > 0; left = nanoTime - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }
}
