package dev.eventbank.bench;

import java.util.HashMap;
import java.util.Map;

/** The benchmarks' Kafka clients: the stack's connection (bootstrap servers and SASL settings) plus their own. */
final class KafkaConnection {

    private KafkaConnection() {
    }

    /** A new mutable client configuration: {@code connection} plus {@code settings}. */
    static Map<String, Object> config(Map<String, Object> connection, Map<String, ?> settings) {
        Map<String, Object> config = new HashMap<>(connection);
        config.putAll(settings);
        return config;
    }
}
