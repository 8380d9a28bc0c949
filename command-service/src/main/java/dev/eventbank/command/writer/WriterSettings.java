package dev.eventbank.command.writer;

import dev.eventbank.command.routing.CommandMetrics;
import dev.eventbank.schemas.commands.AccountAggregate;
import dev.eventbank.schemas.commands.AccountNumberReservation;
import dev.eventbank.schemas.commands.RecentCommand;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import org.apache.kafka.common.serialization.Serde;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * What every {@link PartitionWriter} of an instance shares: where Kafka is, the serdes of the four topics it
 * writes, the transactional id prefix, the idempotency window, the account number reservation lease and the clock.
 *
 * @param bootstrapServers      Kafka
 * @param transactionalIdPrefix a writer's transactional id is this + "-" + partition: stable, so that the next
 *                              owner of a partition fences the previous one
 * @param idempotencyWindow     how long a recorded outcome answers a retried {@code Idempotency-Key}
 * @param maxBatch              most commands decided into one transaction
 * @param aggregatesInterval    how often changed aggregates go to {@code bank-account-aggregates}: they ride
 *                              along with the first transaction after this much time (or alone when idle), so most
 *                              transactions carry events only; zero writes them with every transaction
 * @param producerOverrides     producer configs set on top of the writer's own (tests, tuning)
 * @param stateDir              where each partition's local checkpoint file goes ({@link PartitionSnapshotFile});
 *                              null for none (every restore then reads the topics from their start)
 * @param reservationLease      how long a PENDING account number reservation is protected: after it another
 *                              account's open may check the holder and take the number ({@link AccountNumbers});
 *                              longer than a command's reply timeout, so that no open still being answered is checked
 * @param clientSecurity        how every Kafka client of the writers authenticates ({@code security.protocol},
 *                              {@code sasl.*}; empty for a broker without authentication)
 */
public record WriterSettings(String bootstrapServers, String transactionalIdPrefix, Duration idempotencyWindow,
                             int maxBatch, Duration aggregatesInterval, Map<String, Object> producerOverrides,
                             java.nio.file.Path stateDir, Clock clock, Serde<BankAccountEvent> events,
                             Serde<AccountAggregate> aggregates, Serde<RecentCommand> outcomes,
                             Serde<AccountNumberReservation> reservations, Duration reservationLease,
                             CommandMetrics metrics, Map<String, Object> clientSecurity) {

    /** The reservation lease unless configured: six reply timeouts of 5 s. */
    public static final Duration DEFAULT_RESERVATION_LEASE = Duration.ofSeconds(30);

    public WriterSettings {
        producerOverrides = Map.copyOf(producerOverrides);
        clientSecurity = Map.copyOf(clientSecurity);
        if (idempotencyWindow.isNegative() || idempotencyWindow.isZero()) {
            throw new IllegalArgumentException("the idempotency window must be positive, got " + idempotencyWindow);
        }
        if (aggregatesInterval.isNegative()) {
            throw new IllegalArgumentException("the aggregates interval must not be negative, got " + aggregatesInterval);
        }
        if (reservationLease.isNegative()) {
            throw new IllegalArgumentException("the reservation lease must not be negative, got " + reservationLease);
        }
    }

    /** Settings with the serdes of our Avro contracts on {@code registry} and the default reservation lease. */
    public static WriterSettings of(String bootstrapServers, String transactionalIdPrefix, Duration idempotencyWindow,
                                    int maxBatch, Duration aggregatesInterval, Map<String, Object> producerOverrides,
                                    java.nio.file.Path stateDir, Clock clock, SchemaRegistryClient registry,
                                    CommandMetrics metrics) {
        return of(bootstrapServers, transactionalIdPrefix, idempotencyWindow, maxBatch, aggregatesInterval,
                producerOverrides, stateDir, clock, registry, DEFAULT_RESERVATION_LEASE, metrics);
    }

    /** Settings with the serdes of our Avro contracts on {@code registry}. */
    public static WriterSettings of(String bootstrapServers, String transactionalIdPrefix, Duration idempotencyWindow,
                                    int maxBatch, Duration aggregatesInterval, Map<String, Object> producerOverrides,
                                    java.nio.file.Path stateDir, Clock clock, SchemaRegistryClient registry,
                                    Duration reservationLease,
                                    CommandMetrics metrics) {
        return new WriterSettings(bootstrapServers, transactionalIdPrefix, idempotencyWindow, maxBatch,
                aggregatesInterval, producerOverrides, stateDir, clock, AvroSerdes.value(BankAccountEvent.class, registry),
                AvroSerdes.value(AccountAggregate.class, registry), AvroSerdes.value(RecentCommand.class, registry),
                AvroSerdes.value(AccountNumberReservation.class, registry), reservationLease, metrics, Map.of());
    }

    /** These settings with the Kafka clients authenticating with {@code security} (see {@link #clientSecurity}). */
    public WriterSettings withClientSecurity(Map<String, Object> security) {
        return new WriterSettings(bootstrapServers, transactionalIdPrefix, idempotencyWindow, maxBatch,
                aggregatesInterval, producerOverrides, stateDir, clock, events, aggregates, outcomes, reservations,
                reservationLease, metrics, security);
    }

    /** A new mutable client configuration: {@code config} plus {@link #clientSecurity}. */
    public Map<String, Object> clientConfig(Map<String, ?> config) {
        Map<String, Object> merged = new java.util.HashMap<>(config);
        merged.putAll(clientSecurity);
        return merged;
    }
}
