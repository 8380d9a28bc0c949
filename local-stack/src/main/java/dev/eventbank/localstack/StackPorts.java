package dev.eventbank.localstack;

import dev.eventbank.localkafka.LocalKafkaBroker;

import java.io.IOException;

/** The loopback ports of one local stack: fixed defaults for people, free ports for tests. */
public record StackPorts(int kafka, int kafkaController, int registry, int command, int query, int projection) {

    /** The documented defaults (Kafka 9092, registry 8081, command 8080, query 8082, projection 8084). */
    public static StackPorts defaults() {
        return new StackPorts(9092, 9093, 8081, 8080, 8082, 8084);
    }

    /** Ports that were free a moment ago, so that tests can run beside a developer's own stack. */
    public static StackPorts free() throws IOException {
        return new StackPorts(LocalKafkaBroker.freePort(), LocalKafkaBroker.freePort(), LocalKafkaBroker.freePort(),
                LocalKafkaBroker.freePort(), LocalKafkaBroker.freePort(), LocalKafkaBroker.freePort());
    }
}
