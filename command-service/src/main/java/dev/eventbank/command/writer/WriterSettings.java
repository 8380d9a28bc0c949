package dev.eventbank.command.writer;

import dev.eventbank.command.routing.CommandMetrics;
import dev.eventbank.schemas.commands.AccountAggregate;
import dev.eventbank.schemas.commands.AccountNumberReservation;
import dev.eventbank.schemas.commands.RecentCommand;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.AvroSerializer;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.support.kafka.KafkaClients;
import dev.eventbank.schemas.catalog.TopicSpec;
import dev.eventbank.support.settings.Settings;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.Serde;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What every {@link PartitionWriter} of an instance shares: its Kafka clients' configuration, the serdes of the four
 * topics it writes, the transactional id prefix, the idempotency window, the account number reservation lease and
 * the clock.
 *
 * @param kafka                 the Kafka clients' configuration: {@code kafka.*}, then the writers' producers'
 *                              {@code kafka.producers.command-writers.*} ({@link #PRODUCER}), the partition
 *                              ownership's consumer's {@code kafka.consumers.command-writers.*} and the restore's
 *                              consumer's {@code kafka.consumers.command-restore.*} ({@link #RESTORE_CONSUMER})
 * @param transactionalIdPrefix a writer's transactional id is this + "-" + partition: stable, so that the next
 *                              owner of a partition fences the previous one
 * @param idempotencyWindow     how long a recorded outcome answers a retried {@code Idempotency-Key}
 * @param maxBatch              most commands decided into one transaction
 * @param maxQueued             most commands waiting in one partition's queue (not yet taken into a batch); a
 *                              command that finds the queue full is refused at once ({@link QueueFullException})
 * @param aggregatesInterval    how often changed aggregates go to {@code bank-account-aggregates}: they ride
 *                              along with the first transaction after this much time (or alone when idle), so most
 *                              transactions carry events only; zero writes them with every transaction
 * @param stateDir              where each partition's local checkpoint file goes ({@link PartitionSnapshotFile});
 *                              null for none (every restore then reads the topics from their start)
 * @param topicIds              the cluster's ids of the command side's topics ({@link Topics#COMMAND_SIDE}, by name),
 *                              which a checkpoint file records and must match to be loaded: offsets alone cannot
 *                              tell the topics a file was written for from recreated ones, or another cluster's,
 *                              that have grown past them; empty when {@code stateDir} is null
 * @param reservationLease      how long a PENDING account number reservation is protected: after it another
 *                              account's open may check the holder and take the number ({@link AccountNumbers});
 *                              longer than a command's reply timeout, so that no open still being answered is checked
 */
public record WriterSettings(KafkaClients kafka, String transactionalIdPrefix, Duration idempotencyWindow,
                             int maxBatch, int maxQueued, Duration aggregatesInterval,
                             java.nio.file.Path stateDir, Clock clock, Serde<BankAccountEvent> events,
                             Serde<AccountAggregate> aggregates, Serde<RecentCommand> outcomes,
                             Serde<AccountNumberReservation> reservations, Duration reservationLease,
                             CommandMetrics metrics, Map<String, Uuid> topicIds) {

    /** The reservation lease unless configured: six reply timeouts of 5 s. */
    public static final Duration DEFAULT_RESERVATION_LEASE = Duration.ofSeconds(30);

    /**
     * The queue bound unless configured: two full transactions of the default {@code max-batch} (500). A command
     * behind them waits two commits (tens of milliseconds), far inside the 5 s reply timeout, and a client count such
     * as {@code bin/bench}'s 64 never fills it (each client has one command in flight); about 1 KB per command.
     */
    public static final int DEFAULT_MAX_QUEUED = 1_000;

    /** The name of the writers' transactional producers in the configuration ({@code kafka.producers.<name>}). */
    public static final String PRODUCER = "command-writers";

    /** The name of a restore's consumer in the configuration ({@code kafka.consumers.<name>}). */
    public static final String RESTORE_CONSUMER = "command-restore";

    public WriterSettings {
        Settings.atLeast("eventbank.commands.max-batch", maxBatch, 1);
        Settings.atLeast("eventbank.commands.max-queued", maxQueued, 1);
        Settings.positive("eventbank.commands.idempotency-window", idempotencyWindow);
        Settings.notNegative("eventbank.commands.aggregates-interval", aggregatesInterval);
        Settings.notNegative("eventbank.commands.number-reservation-lease", reservationLease);
        topicIds = Map.copyOf(topicIds);
        if (stateDir != null && !topicIds.keySet().containsAll(COMMAND_SIDE_TOPICS)) {
            throw new IllegalArgumentException("a state directory needs the ids of the topics " + COMMAND_SIDE_TOPICS
                    + ", got " + topicIds.keySet());
        }
    }

    private static final List<String> COMMAND_SIDE_TOPICS = Topics.COMMAND_SIDE.stream().map(TopicSpec::name).toList();

    /**
     * Settings with the serdes of our Avro contracts on {@code registry}, the default reservation lease and no
     * checkpoint files ({@link #withCheckpoints}).
     */
    public static WriterSettings of(KafkaClients kafka, String transactionalIdPrefix, Duration idempotencyWindow,
                                    int maxBatch, Duration aggregatesInterval, Clock clock,
                                    SchemaRegistryClient registry, CommandMetrics metrics) {
        return of(kafka, transactionalIdPrefix, idempotencyWindow, maxBatch, aggregatesInterval, clock, registry,
                DEFAULT_RESERVATION_LEASE, metrics);
    }

    /** Settings with the serdes of our Avro contracts on {@code registry} and no checkpoint files ({@link #withCheckpoints}). */
    public static WriterSettings of(KafkaClients kafka, String transactionalIdPrefix, Duration idempotencyWindow,
                                    int maxBatch, Duration aggregatesInterval, Clock clock,
                                    SchemaRegistryClient registry, Duration reservationLease,
                                    CommandMetrics metrics) {
        return new WriterSettings(kafka, transactionalIdPrefix, idempotencyWindow, maxBatch, DEFAULT_MAX_QUEUED,
                aggregatesInterval, null, clock, AvroSerdes.value(BankAccountEvent.class, registry),
                AvroSerdes.value(AccountAggregate.class, registry), AvroSerdes.value(RecentCommand.class, registry),
                AvroSerdes.value(AccountNumberReservation.class, registry), reservationLease, metrics, Map.of());
    }

    /**
     * Registers the value schema of every topic the writers append to ({@code <topic>-value}, with the serializer's
     * compatibility level) so that {@code registry} caches their ids: a schema first used later, while the registry
     * was away, failed that command's transaction (503, measured: a first deposit with an {@code Idempotency-Key},
     * a first withdrawal and a first close after a start); with the ids cached a registry outage does not reach
     * the writers. Never throws: when the registry cannot be reached now, the first use of each schema registers it,
     * as before, and one WARN line says so.
     */
    public static void registerSchemas(SchemaRegistryClient registry) {
        Map<String, org.apache.avro.Schema> schemas = Map.of(
                Topics.EVENTS.name(), BankAccountEvent.getClassSchema(),
                Topics.AGGREGATES.name(), AccountAggregate.getClassSchema(),
                Topics.COMMAND_OUTCOMES.name(), RecentCommand.getClassSchema(),
                Topics.NUMBER_RESERVATIONS.name(), AccountNumberReservation.getClassSchema());
        try {
            schemas.forEach((topic, schema) -> {
                String subject = topic + "-value";
                registry.ensureSubjectCompatibility(subject, AvroSerializer.SUBJECT_COMPATIBILITY);
                registry.register(subject, schema);
            });
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(WriterSettings.class).warn(
                    "writer schemas not registered at start, each registers at its first use error=\"{}\"", e.toString());
        }
    }

    /** These settings with at most {@code maxQueued} commands waiting per partition. */
    public WriterSettings withMaxQueued(int maxQueued) {
        return new WriterSettings(kafka, transactionalIdPrefix, idempotencyWindow, maxBatch, maxQueued, aggregatesInterval,
                stateDir, clock, events, aggregates, outcomes, reservations, reservationLease, metrics, topicIds);
    }

    /**
     * These settings with each partition's checkpoint file in {@code stateDir}, valid for the topics of
     * {@code topicIds} only ({@link CommandSideTopics#ids()} of the cluster the writers write to).
     *
     * @throws IllegalArgumentException when {@code topicIds} lacks a topic of {@link Topics#COMMAND_SIDE}
     */
    public WriterSettings withCheckpoints(java.nio.file.Path stateDir, Map<String, Uuid> topicIds) {
        return new WriterSettings(kafka, transactionalIdPrefix, idempotencyWindow, maxBatch, maxQueued, aggregatesInterval,
                stateDir, clock, events, aggregates, outcomes, reservations, reservationLease, metrics, topicIds);
    }
}
