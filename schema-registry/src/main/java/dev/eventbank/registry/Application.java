package dev.eventbank.registry;

import io.micronaut.runtime.Micronaut;

/** Starts the schema registry: the Confluent-compatible REST API on port 8081, stored in the {@code _schemas} topic. */
public final class Application {

    private Application() {
    }

    public static void main(String[] args) {
        Micronaut.run(Application.class, args);
    }
}
