package dev.eventbank.localkafka;

import java.util.concurrent.TimeUnit;

/** Stopping the child JVMs this project starts (the broker, and the services of the local stack). */
public final class ChildProcesses {

    private ChildProcesses() {
    }

    /** SIGTERM, so the process can close its Kafka clients cleanly; SIGKILL if it has not exited in 30 s. */
    public static void stop(Process process) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
