package dev.eventbank.schemas.catalog;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The topic catalogue: every topic the system reads or writes, with the configs it is created with.
 * Other teams consume these topics, so names and key/value contracts here are a public API.
 *
 * <p>Every topic is keyed by account id (a UTF-8 string), so all records of one account share a partition; except
 * {@link #COMMAND_OUTCOMES} (command id, in its account's partition) and {@link #NUMBER_RESERVATIONS} (account number,
 * in the number's own partition).
 */
public final class Topics {

    /** Partitions of every topic unless configured otherwise; fixed once a topic exists. */
    public static final int DEFAULT_PARTITIONS = 12;

    /**
     * The event log, the source of truth. Never compacted (compaction keeps only the last record per key
     * and would erase history) and never expired: an existing topic configured otherwise fails the start. It sets
     * no {@code min.insync.replicas} of its own: the broker's applies (a topic-level 1 would let a replicated
     * cluster acknowledge an event only its leader holds).
     */
    public static final TopicSpec EVENTS = new TopicSpec("bank-account-events", DEFAULT_PARTITIONS, Map.of(
            "cleanup.policy", "delete",
            "retention.ms", "-1",
            "retention.bytes", "-1",
            "compression.type", "zstd"),
            Set.of("cleanup.policy", "retention.ms", "retention.bytes"));

    /**
     * The command side's write model: the latest {@code AccountAggregate} of each account, written by the owner of
     * the account's partition in its transactions (the changed ones at most once an interval, see the command
     * service), so a new owner restores every aggregate from here and folds only the events after the offset the
     * last write covers. Each record of a write carries the {@value #EVENTS_CHECKPOINT_HEADER} header: the
     * event-log offset of the same partition before which every event is folded into the topic's aggregates.
     * Internal: not for other teams.
     */
    public static final TopicSpec AGGREGATES = new TopicSpec("bank-account-aggregates", DEFAULT_PARTITIONS, Map.of(
            "cleanup.policy", "compact",
            // compact soon: a restore reads what compaction left, so less to read after a busy day
            "segment.ms", String.valueOf(60L * 60 * 1000),
            "min.cleanable.dirty.ratio", "0.1"));

    /**
     * Header of the {@link #AGGREGATES} records of a write: the next event-log offset (decimal) not yet known to be
     * folded in. A write-back spanning several transactions puts it on its last one only.
     */
    public static final String EVENTS_CHECKPOINT_HEADER = "eventbank.events-offset";

    /**
     * The outcome of each command sent with an {@code Idempotency-Key} (key: command id, value: {@code RecentCommand},
     * its request fingerprint and result), written in the same transaction as the command's events, in the
     * partition of its account. Kept for the idempotency window: compacted, and deleted by time; the writer also
     * ignores an outcome older than the window, since deletion by time is per segment and late. Internal.
     */
    public static final TopicSpec COMMAND_OUTCOMES = new TopicSpec("bank-account-command-outcomes", DEFAULT_PARTITIONS,
            Map.of("cleanup.policy", "compact,delete",
                    // the default idempotency window is 24 h: keep two, so a window set up to 48 h still holds
                    "retention.ms", String.valueOf(48L * 60 * 60 * 1000),
                    "segment.ms", String.valueOf(60L * 60 * 1000)));

    /**
     * Who holds each account number (key: the number's canonical form, upper case without spaces and dashes;
     * value: {@code AccountNumberReservation}), in the partition the number hashes to, written by that partition's
     * writer in its transactions: the arbiter that keeps account numbers unique across accounts, partitions and
     * instances. Compacted: a reservation is "latest per number"; a released one is a tombstone. Also holds one
     * record under {@value #NUMBERS_IMPORTED_KEY} per partition once the numbers of the accounts opened before
     * this topic existed are imported into it. Internal: not for other teams.
     */
    public static final TopicSpec NUMBER_RESERVATIONS = new TopicSpec("bank-account-number-reservations",
            DEFAULT_PARTITIONS, Map.of(
            "cleanup.policy", "compact",
            "segment.ms", String.valueOf(60L * 60 * 1000),
            "min.cleanable.dirty.ratio", "0.1"));

    /**
     * Key of the record in each partition of {@link #NUMBER_RESERVATIONS} that says the account numbers of the
     * accounts in {@link #AGGREGATES} were imported into it; no account number can be this ({@code ~} is not allowed).
     */
    public static final String NUMBERS_IMPORTED_KEY = "~imported-from-aggregates";

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
    public static final List<TopicSpec> COMMAND_SIDE = List.of(EVENTS, AGGREGATES, COMMAND_OUTCOMES, NUMBER_RESERVATIONS);

    /** The topics the projection service needs. */
    public static final List<TopicSpec> PROJECTION_SIDE = List.of(EVENTS, STATE, SNAPSHOTS, EVENTS_DLQ);

    private Topics() {
    }

    public static List<TopicSpec> all() {
        return List.of(EVENTS, AGGREGATES, COMMAND_OUTCOMES, NUMBER_RESERVATIONS, SNAPSHOTS, STATE, EVENTS_DLQ, SCHEMAS);
    }
}
