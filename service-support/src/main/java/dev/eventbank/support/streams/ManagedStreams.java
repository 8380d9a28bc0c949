package dev.eventbank.support.streams;

import dev.eventbank.support.kafka.KafkaClients;
import dev.eventbank.schemas.catalog.TopicProvisioner;
import dev.eventbank.schemas.catalog.TopicSpec;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Runs one Kafka Streams topology of a service: creates the topics it is given (checking existing ones), starts
 * it, reports its state and the store partitions being restored (for readiness), binds its client metrics
 * (threads, tasks, stores, embedded clients) to Micrometer as {@code kafka.stream.*} meters when given a
 * registry, and closes it. Each projection generation runs in one.
 *
 * <p>Why not micronaut-kafka's Kafka Streams factory (which runs the query service's view): it builds one app per
 * {@code kafka.streams.<name>} when the context starts and closes them with it, while a projection starts a new
 * generation's app, runs it beside the active one, switches to it and retires the old one (deleting its state and
 * leaving its group) at run time, on an operator's request.
 *
 * <p>A stream thread that dies on an exception is replaced, so under exactly-once the failed transaction is
 * aborted and the batch retried from the last commit; nothing it did becomes visible. Each failure is logged at
 * ERROR, each state change at INFO.
 *
 * <p>Limits: a cause that never goes away makes the thread fail and be replaced again and again, holding up its
 * partitions. The restore count covers active tasks and global stores, not standbys. {@link #close()} stays in
 * the consumer group until the session times out (as {@link KafkaStreams#close(Duration)} does);
 * {@link #stopAndLeaveGroup()} leaves it at once. A global-only topology (the query view) has no group at all.
 */
public final class ManagedStreams implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ManagedStreams.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaStreams streams;
    private final Properties properties;
    private final List<TopicSpec> topics;
    private final int partitions;
    private final short replicationFactor;
    private final KafkaStreamsMetrics metrics;
    private final RestoreCounter restoring = new RestoreCounter();

    /** An app whose topics are created elsewhere; its metrics are bound to {@code registry}. */
    public ManagedStreams(Topology topology, Properties properties, MeterRegistry registry) {
        this(topology, properties, List.of(), 0, (short) 0, registry);
    }

    /**
     * @param topics     created by {@link #start()} when missing with {@code partitions} and {@code replicationFactor}
     *                   (none: nothing is created and no admin client is opened)
     * @param registry   where its Kafka Streams metrics go; null when the caller binds them itself
     */
    public ManagedStreams(Topology topology, Properties properties, List<TopicSpec> topics, int partitions,
                          short replicationFactor, MeterRegistry registry) {
        this.properties = properties;
        this.topics = List.copyOf(topics);
        this.partitions = partitions;
        this.replicationFactor = replicationFactor;
        this.streams = new KafkaStreams(topology, properties);
        if (registry != null) {
            this.metrics = new KafkaStreamsMetrics(streams);
            metrics.bindTo(registry);
        } else {
            this.metrics = null;
        }
        streams.setGlobalStateRestoreListener(restoring);
        streams.setUncaughtExceptionHandler(error -> {
            LOG.error("stream thread failed, replacing it applicationId={} error=\"{}\"", applicationId(), error.toString());
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((newState, oldState) ->
                LOG.info("streams state applicationId={} from={} to={}", applicationId(), oldState, newState));
    }

    /** Creates the missing topics (checking existing ones), then starts processing. */
    public void start() {
        if (!topics.isEmpty()) {
            try (Admin admin = Admin.create(KafkaClients.connectionOf(properties))) {
                new TopicProvisioner(admin, partitions, replicationFactor).ensure(topics);
            }
        }
        streams.start();
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    public KafkaStreams kafkaStreams() {
        return streams;
    }

    /**
     * A store for interactive queries, only while {@link #canServe} holds. Why: Kafka Streams hands out stores while
     * it rebalances too, and a task it found corrupted (a fenced producer after the process was paused past its
     * session) is wiped and restored: in that window a read found empty stores, and the projection answered bank
     * totals of zero and "no account" for an account with 294 events, with 200 and 404 (found by pausing it with
     * SIGSTOP for 20 s under load). The answer is now this exception, which callers turn into a 503 to retry.
     *
     * @param parameters which store, as for {@link KafkaStreams#store}
     * @return the store, as {@link KafkaStreams#store} gives it
     * @throws InvalidStateStoreException when Kafka Streams is not RUNNING or a store is being restored
     */
    public <T> T queryableStore(StoreQueryParameters<T> parameters) {
        KafkaStreams.State state = streams.state();
        int restoringNow = restoring.restoring();
        if (!canServe(state, restoringNow)) {
            throw new InvalidStateStoreException("Kafka Streams is " + state
                    + (restoringNow > 0 ? " and restoring " + restoringNow + " store partitions" : "")
                    + ", so its stores may not hold every event yet");
        }
        return streams.store(parameters);
    }

    /** Store partitions being restored from their changelog or topic right now (active tasks only, not standbys). */
    public int restoringStores() {
        return restoring.restoring();
    }

    /**
     * Readiness: {@code state} is RUNNING and no store is being restored, so reads and results are current. Takes the
     * values rather than reading them, so that a health answer reports the same state it judged.
     */
    public static boolean canServe(KafkaStreams.State state, int restoringStores) {
        return state == KafkaStreams.State.RUNNING && restoringStores == 0;
    }

    /**
     * Liveness: {@code state} is one only a restart repairs (ERROR, PENDING_ERROR, NOT_RUNNING). A rebalance or a
     * restoration is not; an unreachable broker leaves Kafka Streams retrying in RUNNING or REBALANCING.
     */
    public static boolean hasStoppedForGood(KafkaStreams.State state) {
        return state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR
                || state == KafkaStreams.State.NOT_RUNNING;
    }

    /**
     * Stops processing and leaves the consumer group at once (a plain close would stay in it until the session
     * times out): a restarted instance, or the other instances, take the partitions over without waiting ~45 s,
     * and a retired group can be deleted right away.
     */
    public boolean stopAndLeaveGroup() {
        closeMetrics();
        boolean closed = streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(CLOSE_TIMEOUT));
        warnIfNotClosed(closed);
        return closed;
    }

    /** Deletes this app's local state directory; only once it is closed (Kafka Streams refuses otherwise). */
    public void cleanUp() {
        streams.cleanUp();
    }

    /** Stops processing; stays in the consumer group (see {@link #stopAndLeaveGroup()}). */
    @Override
    public void close() {
        closeMetrics();
        warnIfNotClosed(streams.close(CLOSE_TIMEOUT));
    }

    private void closeMetrics() {
        if (metrics != null) {
            metrics.close();
        }
    }

    private void warnIfNotClosed(boolean closed) {
        if (!closed) {
            LOG.warn("streams did not close within {} s applicationId={}", CLOSE_TIMEOUT.toSeconds(), applicationId());
        }
    }

    private Object applicationId() {
        return properties.get(StreamsConfig.APPLICATION_ID_CONFIG);
    }
}
