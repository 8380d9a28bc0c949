package dev.eventbank.localkafka;

import java.util.List;
import java.util.concurrent.TimeUnit;

/** Stopping the child JVMs this project starts (the broker, and the services of the local stack). */
public final class ChildProcesses {

    /** How long a process has to exit after its SIGTERM before it gets a SIGKILL. */
    private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(30);

    private ChildProcesses() {
    }

    /** SIGTERM, so the process can close its Kafka clients cleanly; SIGKILL if it has not exited in 30 s. */
    public static void stop(Process process) {
        stopAll(List.of(process));
    }

    /**
     * SIGTERM to every process at once, then waits for them: each that has not exited 30 s after the signals gets a
     * SIGKILL. Together, so that stopping N services takes as long as the slowest one, not the sum (their clean
     * shutdowns, closing Kafka clients and leaving groups, do not depend on each other).
     *
     * @param processes the processes to stop; those already exited are skipped
     */
    public static void stopAll(List<Process> processes) {
        processes.stream().filter(Process::isAlive).forEach(Process::destroy);
        long deadline = System.nanoTime() + GRACE_NANOS;
        try {
            for (Process process : processes) {
                long left = Math.max(0, deadline - System.nanoTime());
                if (!process.waitFor(left, TimeUnit.NANOSECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            processes.forEach(Process::destroyForcibly);
        }
    }
}
