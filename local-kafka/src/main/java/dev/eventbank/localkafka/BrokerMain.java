package dev.eventbank.localkafka;

import java.io.IOException;

/**
 * Entry point of the broker child process: runs {@code kafka.Kafka} with the given properties file.
 *
 * <p>A watchdog thread reads standard input, which the parent keeps open as a pipe; when the parent dies
 * (even by SIGKILL) the pipe closes and the broker exits, so no orphaned broker outlives a test run.
 */
public final class BrokerMain {

    private BrokerMain() {
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: BrokerMain <server.properties>");
            System.exit(2);
        }
        Thread watchdog = new Thread(BrokerMain::exitWhenParentGone, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        kafka.Kafka.main(args);
    }

    private static void exitWhenParentGone() {
        try {
            while (System.in.read() != -1) {
                // the parent never writes; any byte is ignored
            }
        } catch (IOException ignored) {
            // a broken pipe means the same as end of stream: the parent is gone
        }
        System.err.println("local-kafka: parent process gone, stopping broker");
        System.exit(0);
    }
}
