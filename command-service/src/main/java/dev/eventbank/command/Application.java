package dev.eventbank.command;

import io.micronaut.runtime.Micronaut;

/**
 * Starts the command service on port 8080: the REST command API, the gateway that sends commands to Kafka
 * and reads their committed results, and the Kafka Streams command processor, in one process.
 */
public final class Application {

    private Application() {
    }

    public static void main(String[] args) {
        Micronaut.run(Application.class, args);
    }
}
