package dev.eventbank.localkafka;

import java.util.List;
import java.util.concurrent.TimeUnit;

/** Stopping the child JVMs this project starts (the broker, and the services of the local stack). */
public final class ChildProcesses {

    /** How long a process has to exit after its SIGTERM before it gets a SIGKILL. */
    private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** How long a SIGKILLed process is waited for (it exits at once unless the system is stuck). */
    private static final long KILL_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private ChildProcesses() {
    }

    /** SIGTERM, so the process can close its Kafka clients cleanly; SIGKILL if it has not exited in 30 s. */
    public static void stop(Process process) {
        stopAll(List.of(process));
    }

    /**
     * SIGTERM to every process at once, then waits for them: those that have not exited 30 s after the signals get a
     * SIGKILL together. Together, so that stopping N services takes as long as the slowest one, not the sum (their
     * clean shutdowns, closing Kafka clients and leaving groups, do not depend on each other). Interrupted, it
     * SIGKILLs what is left, still waits (at most 10 s) until those have exited, and keeps the interrupt flag set.
     *
     * @param processes the processes to stop; those already exited are skipped
     */
    public static void stopAll(List<Process> processes) {
        stopAll(processes, GRACE_NANOS);
    }

    /** {@link #stopAll(List)} with {@code graceNanos} instead of 30 s between the SIGTERMs and the SIGKILLs. */
    static void stopAll(List<Process> processes, long graceNanos) {
        processes.stream().filter(Process::isAlive).forEach(Process::destroy);
        long deadline = System.nanoTime() + graceNanos;
        boolean interrupted = false;
        try {
            for (Process process : processes) {
                process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        processes.stream().filter(Process::isAlive).forEach(Process::destroyForcibly);
        long killDeadline = System.nanoTime() + KILL_WAIT_NANOS;
        for (Process process : processes) {
            while (process.isAlive() && System.nanoTime() < killDeadline) {
                try {
                    process.waitFor(Math.max(0, killDeadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    // the processes must be gone before the caller reuses their ports and files: wait on
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
