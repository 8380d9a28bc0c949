package dev.eventbank.query;

import io.micronaut.runtime.Micronaut;

/** Starts the query service: REST reads of bank accounts on port 8082. */
public final class Application {

    private Application() {
    }

    public static void main(String[] args) {
        Micronaut.run(Application.class, args);
    }
}
