package dev.eventbank.registry;

import dev.eventbank.http.ServiceLauncher;

/** Starts the schema registry: the Confluent-compatible REST API on port 8081, stored in the {@code _schemas} topic. */
public final class Application {

    private Application() {
    }

    public static void main(String[] args) {
        ServiceLauncher.run(Application.class, args);
    }
}
