package dev.eventbank.command;

import dev.eventbank.http.ServiceLauncher;

/**
 * Starts the command service on port 8080: the REST command API, the router that sends each command to the
 * owner of its account's partition, and the partition writers of the partitions this instance owns, in one
 * process.
 */
public final class Application {

    private Application() {
    }

    public static void main(String[] args) {
        ServiceLauncher.run(Application.class, args);
    }
}
