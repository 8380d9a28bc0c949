package dev.eventbank.schemas.catalog;

import java.util.List;
import java.util.Map;

/**
 * The topic catalogue: every topic the system reads or writes, with the configs it is created with.
 * Other teams consume these topics, so names and key/value contracts here are a public API.
 *
 * <p>Every topic is keyed by account id (a UTF-8 string), so all records of one account share a partition.
 */
public final class Topics {

    /** Partitions of every topic unless configured otherwise; fixed once a topic exists. */
    public static final int DEFAULT_PARTITIONS = 12;

    private static final String SEVEN_DAYS_MS = String.valueOf(7L * 24 * 60 * 60 * 1000);

    /**
     * The event log, the source of truth. Never compacted (compaction keeps only the last record per key
     * and would erase history) and never expired.
     */
    public static final TopicSpec EVENTS = new TopicSpec("bank-account-events", DEFAULT_PARTITIONS, Map.of(
            "cleanup.policy", "delete",
            "retention.ms", "-1",
            "retention.bytes", "-1",
            "compression.type", "zstd",
            "min.insync.replicas", "1"));

    /** Commands accepted over REST, consumed by the command processor that owns the account's partition. */
    public static final TopicSpec COMMANDS = new TopicSpec("bank-account-commands", DEFAULT_PARTITIONS, Map.of(
            "cleanup.policy", "delete",
            "retention.ms", SEVEN_DAYS_MS));

    /** Committed outcome per command id, read read_committed by the REST layer to answer the caller. */
    public static final TopicSpec COMMAND_RESULTS = new TopicSpec("bank-account-command-results", DEFAULT_PARTITIONS,
            Map.of("cleanup.policy", "delete",
                    "retention.ms", SEVEN_DAYS_MS));

    /** Aggregate snapshots: latest per account, with the version and log offset it covers. */
    public static final TopicSpec SNAPSHOTS = new TopicSpec("bank-account-snapshots", DEFAULT_PARTITIONS, Map.of(
            "cleanup.policy", "compact"));

    /** Latest read model per account, published by the projection service. */
    public static final TopicSpec STATE = new TopicSpec("bank-account-state", DEFAULT_PARTITIONS, Map.of(
            "cleanup.policy", "compact"));

    /** Events a projection could not process, unchanged, with the reason in headers. */
    public static final TopicSpec EVENTS_DLQ = new TopicSpec("bank-account-events-dlq", DEFAULT_PARTITIONS, Map.of(
            "cleanup.policy", "delete",
            "retention.ms", "-1"));

    /** The schema registry's store (Confluent's name and format); one partition keeps ids totally ordered. */
    public static final TopicSpec SCHEMAS = new TopicSpec("_schemas", 1, Map.of(
            "cleanup.policy", "compact"));

    /** The topics the command service needs. */
    public static final List<TopicSpec> COMMAND_SIDE = List.of(COMMANDS, COMMAND_RESULTS, EVENTS);

    /** The topics the projection service needs. */
    public static final List<TopicSpec> PROJECTION_SIDE = List.of(EVENTS, STATE, SNAPSHOTS, EVENTS_DLQ);

    private Topics() {
    }

    public static List<TopicSpec> all() {
        return List.of(EVENTS, COMMANDS, COMMAND_RESULTS, SNAPSHOTS, STATE, EVENTS_DLQ, SCHEMAS);
    }
}
