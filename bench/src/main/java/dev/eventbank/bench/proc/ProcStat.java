package dev.eventbank.bench.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * CPU time from Linux's {@code /proc}: the one place the benchmarks read it. What it reads:
 * <ul>
 *   <li>{@code /proc/<pid>/stat}, fields 14 to 17: {@code utime} and {@code stime}, the CPU the process has used in
 *   user and kernel mode, summed over all its threads (also those that have ended), and {@code cutime} and
 *   {@code cstime}, the same for its children that have exited and been waited for; field 4, the parent pid, to find
 *   a process's children (PostgreSQL runs one process per connection under its postmaster);</li>
 *   <li>{@code /proc/stat}, its first line: the time all CPUs together spent in each state since boot (user, nice,
 *   system, idle, iowait, irq, softirq, steal; guest time is already inside user).</li>
 * </ul>
 * Units: everything here is in clock ticks ({@code USER_HZ}, {@link #clockTicksPerSecond()}, 100 per second on
 * every usual Linux build), converted to milliseconds by {@link #millis(long)}.
 *
 * <p>Limits: Linux only (elsewhere every reading is empty or zero, see {@link #available()}). The kernel reports
 * whole ticks, so each process's figure over a window is good to about one tick (10 ms at 100 Hz); over a 5 s
 * window of a few hundred commands that is well under 0.1 ms per command per process. A process tree is read one
 * process at a time, not atomically: a child that exits and is reaped between the read of its parent and the read
 * of its own file is missed, and one reaped between the read of the child list and the read of the parent is
 * counted twice; with PostgreSQL's pooled connections (no backends start or stop under load) this does not happen
 * in the benchmarks. Children that exited but that their parent never waited for are in nobody's {@code cutime}.
 */
public final class ProcStat {

    private static final Path PROC = Path.of("/proc");
    // indexes into parseStat's array: field 4 (ppid) and field 14 (utime; stime, cutime, cstime follow)
    private static final int PPID = 1;
    private static final int UTIME = 11;
    private static final long TICKS_PER_SECOND = readClockTicksPerSecond();

    private ProcStat() {
    }

    /** Whether {@code /proc/stat} can be read here (Linux). */
    public static boolean available() {
        return Files.isReadable(PROC.resolve("stat"));
    }

    /** Clock ticks per second ({@code getconf CLK_TCK}, read once; 100 if that fails, Linux's value on x86 and arm). */
    public static long clockTicksPerSecond() {
        return TICKS_PER_SECOND;
    }

    /** {@code ticks} clock ticks in milliseconds. */
    public static double millis(long ticks) {
        return ticks * 1000.0 / TICKS_PER_SECOND;
    }

    /** The CPU used by this JVM so far ({@code utime + stime} of its own pid, all threads; not its children), ticks. */
    public static long selfTicks() {
        long[] times = times(ProcessHandle.current().pid());
        return times == null ? 0 : times[0] + times[1];
    }

    /**
     * The CPU used so far by {@code root} and all its descendants, in clock ticks: {@code utime + stime} of every live
     * process of the tree, plus {@code cutime + cstime} of each, which holds the whole CPU of its children that have
     * exited and been reaped. So a child that starts or ends between two readings is counted in full for the time
     * between them. 0 if {@code root} does not exist.
     *
     * @param children the children of every process, from {@link #childrenByParent()} (read once per snapshot)
     */
    public static long treeTicks(long root, Map<Long, List<Long>> children) {
        long[] times = times(root);
        if (times == null) {
            return 0;
        }
        long ticks = times[0] + times[1] + times[2] + times[3];
        for (long child : children.getOrDefault(root, List.of())) {
            ticks += treeTicks(child, children);
        }
        return ticks;
    }

    /** Every live process's pid by its parent's pid, from one pass over {@code /proc/<pid>/stat}. */
    public static Map<Long, List<Long>> childrenByParent() {
        Map<Long, List<Long>> children = new HashMap<>();
        try (Stream<Path> processes = Files.list(PROC)) {
            processes.filter(p -> isPid(p.getFileName().toString())).forEach(p -> {
                long[] fields = fields(Long.parseLong(p.getFileName().toString()));
                if (fields != null) {
                    children.computeIfAbsent(fields[PPID], k -> new ArrayList<>())
                            .add(Long.parseLong(p.getFileName().toString()));
                }
            });
        } catch (IOException e) {
            // /proc unreadable: no children known
        }
        return children;
    }

    /** The live direct children of {@code pid}. */
    public static List<Long> children(long pid) {
        return childrenByParent().getOrDefault(pid, List.of());
    }

    /**
     * One reading of every group's process trees ({@link #treeTicks}), of this JVM ({@link #selfTicks()}) and of the
     * whole machine ({@link #machine()}), with the {@link System#nanoTime()} it was taken at.
     *
     * @param groups a name for each group of processes (e.g. {@code broker}), and the root pids of its trees
     */
    public static Snapshot snapshot(Map<String, List<Long>> groups) {
        // one pass over ~100 stat files takes a few milliseconds, under one tick, so the order of the readings
        // inside a snapshot does not matter
        long nanoTime = System.nanoTime();
        Map<Long, List<Long>> children = childrenByParent();
        Map<String, Long> ticks = new LinkedHashMap<>();
        groups.forEach((name, roots) -> ticks.put(name, roots.stream().mapToLong(root -> treeTicks(root, children)).sum()));
        long compiler = groups.values().stream().flatMap(List::stream)
                .mapToLong(root -> treeCompilerTicks(root, children)).sum();
        return new Snapshot(nanoTime, ticks, compiler, selfTicks(), machine());
    }

    /**
     * Whole-machine CPU time since boot from the {@code cpu} line of {@code /proc/stat}, all CPUs together, in ticks;
     * all zero if it cannot be read.
     */
    public static Machine machine() {
        try {
            return parseMachine(Files.readAllLines(PROC.resolve("stat")));
        } catch (IOException | RuntimeException e) {
            return new Machine(0, 0, 0, 0);
        }
    }

    /**
     * Readings of {@link #snapshot} at one instant.
     *
     * @param nanoTime   {@link System#nanoTime()} when it was taken
     * @param groupTicks    CPU used so far by each group's process trees, clock ticks
     * @param compilerTicks CPU used so far by the JIT compiler threads of the live JVMs of all groups
     *                      ({@link #treeCompilerTicks}), clock ticks; part of {@code groupTicks}
     * @param selfTicks     CPU used so far by this JVM (the load generator), clock ticks
     * @param machine       the whole machine's CPU time so far
     */
    public record Snapshot(long nanoTime, Map<String, Long> groupTicks, long compilerTicks, long selfTicks,
                           Machine machine) {
    }

    /**
     * The CPU used so far by the JIT compiler threads of {@code root} and its live descendants, in clock ticks: the
     * HotSpot threads named {@code C1 CompilerThreadN} and {@code C2 CompilerThreadN} (the kernel keeps the first 15
     * characters of a thread's name, {@code /proc/<pid>/task/<tid>/stat}). Threads that ended are not counted (HotSpot
     * may stop an idle compiler thread), so a difference of two readings can only under-count.
     */
    public static long treeCompilerTicks(long root, Map<Long, List<Long>> children) {
        long ticks = 0;
        try (Stream<Path> tasks = Files.list(PROC.resolve(String.valueOf(root)).resolve("task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                        long[] fields = parseStat(stat);
                        ticks += fields[UTIME] + fields[UTIME + 1];
                    }
                } catch (IOException | RuntimeException gone) {
                    // the thread ended between the listing and the read
                }
            }
        } catch (IOException | RuntimeException gone) {
            // the process ended, or is not ours to read
        }
        for (long child : children.getOrDefault(root, List.of())) {
            ticks += treeCompilerTicks(child, children);
        }
        return ticks;
    }

    /**
     * Whole-machine CPU time, all CPUs together, clock ticks since boot.
     *
     * @param busy  user + nice + system + irq + softirq: running anything (guest time is inside user)
     * @param idle  idle + iowait: nothing to run (iowait is idle time while some I/O was outstanding)
     * @param steal time the hypervisor ran something else while this virtual machine had work: lost, not used
     * @param cpus  CPUs counted ({@code cpuN} lines); 0 if unknown
     */
    public record Machine(long busy, long idle, long steal, int cpus) {

        /** All the ticks that passed, busy, idle and stolen. */
        public long total() {
            return busy + idle + steal;
        }
    }

    /** The {@code cpu} line of {@code /proc/stat}'s lines, and the number of {@code cpuN} lines. */
    static Machine parseMachine(List<String> procStat) {
        String cpu = procStat.stream().filter(line -> line.startsWith("cpu ")).findFirst().orElseThrow();
        int cpus = (int) procStat.stream().filter(line -> line.matches("cpu\\d+ .*")).count();
        String[] f = cpu.trim().split("\\s+");
        long[] v = new long[8];
        // older kernels have fewer columns (no steal before 2.6.11): the missing ones stay 0
        for (int i = 0; i < v.length && i + 1 < f.length; i++) {
            v[i] = Long.parseLong(f[i + 1]);
        }
        // user nice system idle iowait irq softirq steal
        return new Machine(v[0] + v[1] + v[2] + v[5] + v[6], v[3] + v[4], v[7], cpus);
    }

    /** {@code utime, stime, cutime, cstime} of {@code pid} in ticks, or null if it does not exist. */
    private static long[] times(long pid) {
        long[] fields = fields(pid);
        return fields == null ? null : new long[]{fields[UTIME], fields[UTIME + 1], fields[UTIME + 2], fields[UTIME + 3]};
    }

    /** The numeric fields of {@code /proc/<pid>/stat} from field 3 on, or null if the process is gone. */
    private static long[] fields(long pid) {
        try {
            return parseStat(Files.readString(PROC.resolve(String.valueOf(pid)).resolve("stat")));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Fields 4 to 17 of a {@code /proc/<pid>/stat} line (ppid ... cstime), index 0 being field 3 (the state, as 0).
     * The command name (field 2) is in parentheses and may itself hold spaces and parentheses, so parsing starts
     * after the last {@code ')'}.
     */
    static long[] parseStat(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        long[] fields = new long[UTIME + 4];
        for (int i = 1; i < fields.length; i++) {
            fields[i] = Long.parseLong(f[i]);
        }
        return fields;
    }

    private static boolean isPid(String name) {
        return !name.isEmpty() && name.chars().allMatch(Character::isDigit);
    }

    private static long readClockTicksPerSecond() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(getconf.getInputStream().readAllBytes()).trim();
            if (getconf.waitFor(10, TimeUnit.SECONDS) && getconf.exitValue() == 0) {
                return Long.parseLong(out);
            }
        } catch (IOException | RuntimeException e) {
            // no getconf: Linux's USER_HZ is 100 on every usual build
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }
}
