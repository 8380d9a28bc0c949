package dev.eventbank.projection;

import io.micronaut.runtime.Micronaut;

/** Starts the projection service: the account state projection plus health and metrics on port 8084. */
public final class Application {

    private Application() {
    }

    public static void main(String[] args) {
        Micronaut.run(Application.class, args);
    }
}
