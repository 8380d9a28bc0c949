package dev.eventbank.bench;

import dev.eventbank.bench.proc.ProcStat;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The CPU used during one measured window, the difference of two {@link ProcStat.Snapshot}s taken at its start and
 * its end.
 *
 * @param seconds             the window, from the two snapshots' {@code nanoTime}, s
 * @param groupMillis         CPU used by each process group of the system under test (e.g. {@code broker}), ms
 * @param compilerMillis      the part of {@code groupMillis} used by JIT compiler threads, all groups together, ms
 * @param loadGeneratorMillis CPU used by the benchmark's own JVM (client threads, HTTP client, GC), ms
 * @param machineBusy         share of all CPUs' time spent running anything, 0 to 1
 * @param restBusy            share of all CPUs' time busy but not in the system under test nor the load generator:
 *                            other processes on the machine, and interrupt handling (the loopback network's softirq
 *                            work is accounted there, not to the process that caused it), 0 to 1
 * @param steal               share of all CPUs' time the hypervisor gave to someone else, 0 to 1
 * @param cpus                CPUs of the machine
 */
record CpuUse(double seconds, Map<String, Double> groupMillis, double compilerMillis, double loadGeneratorMillis,
              double machineBusy, double restBusy, double steal, int cpus) {

    /** What was used between {@code before} and {@code after}; null if {@code /proc} gave nothing (not Linux). */
    static CpuUse between(ProcStat.Snapshot before, ProcStat.Snapshot after) {
        long total = after.machine().total() - before.machine().total();
        if (total <= 0) {
            return null;
        }
        Map<String, Double> groups = new LinkedHashMap<>();
        long groupTicks = 0;
        for (Map.Entry<String, Long> group : after.groupTicks().entrySet()) {
            long ticks = group.getValue() - before.groupTicks().getOrDefault(group.getKey(), 0L);
            groupTicks += ticks;
            groups.put(group.getKey(), ProcStat.millis(ticks));
        }
        long selfTicks = after.selfTicks() - before.selfTicks();
        long busy = after.machine().busy() - before.machine().busy();
        return new CpuUse((after.nanoTime() - before.nanoTime()) / 1e9, groups,
                ProcStat.millis(Math.max(0, after.compilerTicks() - before.compilerTicks())), ProcStat.millis(selfTicks),
                busy / (double) total, (busy - groupTicks - selfTicks) / (double) total,
                (after.machine().steal() - before.machine().steal()) / (double) total, after.machine().cpus());
    }

    /** CPU used by all the processes of the system under test together, ms. */
    double systemMillis() {
        return groupMillis.values().stream().mapToDouble(Double::doubleValue).sum();
    }
}
