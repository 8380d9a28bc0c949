package dev.eventbank.query;

import dev.eventbank.support.readyourwrites.VersionWaiters;
import dev.eventbank.schemas.catalog.TopicProvisioner;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.support.kafka.BrokerWait;
import dev.eventbank.support.kafka.KafkaClients;
import dev.eventbank.support.streams.ClusterStateDirectory;
import dev.eventbank.support.streams.RestoreCounter;
import dev.eventbank.support.settings.Settings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micronaut.configuration.kafka.streams.ConfiguredStreamBuilder;
import io.micronaut.configuration.kafka.streams.event.BeforeKafkaStreamStart;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.core.annotation.Nullable;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Properties;

/**
 * The view's Kafka Streams app, run by micronaut-kafka's {@code KafkaStreamsFactory}: it is configured from
 * {@code kafka.*} and {@code kafka.streams.default.*} (application id and state directory there, from
 * {@code eventbank.streams.application-id} and {@code eventbank.streams.state-dir} by default), started with the
 * context, reported by micronaut-kafka's {@code kafkaStreams} health component and closed with the context.
 *
 * <p>This class adds what the library leaves to the application, at the two points it offers:
 * <ul>
 *   <li>when the stream builder is created: the state topic (created if missing, checked otherwise), the state
 *   directory of the cluster inside the configured one ({@link ClusterStateDirectory}), the settings
 *   the view is correct only with (exactly-once, so that its consumer reads committed projection states only;
 *   records the topology cannot decode logged and skipped, see {@link AccountViewTopology}) and the topology;</li>
 *   <li>before the app starts: a count of the stores being restored (readiness, {@link StreamsHealthIndicator}),
 *   one log line per state change, and its client metrics as Micrometer {@code kafka.stream.*} meters (the names
 *   the dashboards use; micronaut-kafka's own reporter, {@code kafka-streams.*}, is switched off in
 *   {@code application.yml}).</li>
 * </ul>
 * The topology is global-only (one global store), so Kafka Streams runs no stream threads and joins no consumer
 * group. Limits: if the global thread dies the app goes to ERROR and only a restart repairs it
 * ({@link StreamsLivenessIndicator}).
 */
@Singleton
final class AccountViewStreams implements BeanCreatedEventListener<ConfiguredStreamBuilder>,
        ApplicationEventListener<BeforeKafkaStreamStart> {

    private static final Logger LOG = LoggerFactory.getLogger(AccountViewStreams.class);

    /** The view's name under {@code kafka.streams}: micronaut-kafka's default app. */
    static final String VIEW = "default";

    private final SchemaRegistryClient registry;
    private final VersionWaiters waiters;
    private final KafkaClients kafka;
    private final MeterRegistry meters;
    private final int partitions;
    private final short replicationFactor;
    private final FreshFold fold;
    private final RestoreCounter restoring = new RestoreCounter();
    private volatile KafkaStreamsMetrics metrics;

    /** @param fold the fresh fold ({@code eventbank.query.fresh-reads}), started with the view; null when off */
    AccountViewStreams(SchemaRegistryClient registry, VersionWaiters waiters, @Nullable FreshFold fold, KafkaClients kafka,
                       MeterRegistry meters, @Value("${eventbank.topics.partitions:12}") int partitions,
                       @Value("${eventbank.topics.replication-factor:1}") short replicationFactor) {
        this.registry = registry;
        this.waiters = waiters;
        this.fold = fold;
        this.kafka = kafka;
        this.meters = meters;
        this.partitions = (int) Settings.atLeast("eventbank.topics.partitions", partitions, 0);
        this.replicationFactor = (short) Settings.atLeast("eventbank.topics.replication-factor", replicationFactor, 1);
    }

    @Override
    public ConfiguredStreamBuilder onCreated(BeanCreatedEvent<ConfiguredStreamBuilder> event) {
        ConfiguredStreamBuilder builder = event.getBean();
        requireTheView(builder);
        Properties config = builder.getConfiguration();
        String clusterId = BrokerWait.clusterId(kafka.admin(java.util.Map.of()), "check the account view's topic");
        try (Admin admin = Admin.create(kafka.admin(java.util.Map.of()))) {
            new TopicProvisioner(admin, partitions, replicationFactor).ensure(List.of(Topics.STATE));
            String stateDir = config.getProperty(StreamsConfig.STATE_DIR_CONFIG);
            if (stateDir != null) {
                // the view's checkpoint holds offsets of one cluster's topic: never restore it from another's
                config.put(StreamsConfig.STATE_DIR_CONFIG, ClusterStateDirectory.of(java.nio.file.Path.of(stateDir),
                        clusterId).toString());
            }
        }
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // exactly-once makes Kafka Streams read committed records with its main and restore consumers, whatever the
        // configuration says, but not with the global one, which is this app's only consumer
        config.put(StreamsConfig.globalConsumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
        config.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        config.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        AccountViewTopology.build(builder, registry, this::stored);
        return builder;
    }

    /**
     * Refuses a Kafka Streams configuration other than the view's ({@code kafka.streams.default}): micronaut-kafka runs
     * one app per name under {@code kafka.streams}, and this class would give each the view's topology, so the view
     * would run twice. Such a name comes from a typo or from another service's settings reaching this one: an
     * environment shared by every service with {@code KAFKA_STREAMS_PROJECTION_NUM_STREAM_THREADS} in it (seen in a
     * local stack: a second view ran as application {@code query-service}).
     *
     * @throws ConfigurationException naming the configuration and the view's
     */
    static void requireTheView(ConfiguredStreamBuilder builder) {
        if (!VIEW.equals(builder.getName())) {
            throw new ConfigurationException("kafka.streams." + builder.getName() + " configures a Kafka Streams app "
                    + "this service does not have (its one app, the view, is kafka.streams." + VIEW + "), and "
                    + "micronaut-kafka would run the view a second time under it: remove kafka.streams."
                    + builder.getName() + ".* from this service's configuration, environment variables "
                    + "KAFKA_STREAMS_" + builder.getName().toUpperCase(java.util.Locale.ROOT).replace('-', '_')
                    + "_* included (they belong to another service's environment)");
        }
    }

    @Override
    public void onApplicationEvent(BeforeKafkaStreamStart event) {
        KafkaStreams streams = event.getKafkaStreams();
        streams.setGlobalStateRestoreListener(restoring);
        streams.setStateListener((newState, oldState) ->
                LOG.info("streams state app=query-view from={} to={}", oldState, newState));
        KafkaStreamsMetrics bound = new KafkaStreamsMetrics(streams);
        bound.bindTo(meters);
        metrics = bound;
        if (fold != null) {
            // from now on the view can be asked (while it restores the fold leaves accounts to it)
            fold.start();
        }
    }

    /** The view stored {@code version} of the account: the fold's copy is not ahead any more; waiting reads wake. */
    private void stored(String accountId, long version) {
        if (fold != null) {
            fold.caughtUp(accountId, version);
        }
        waiters.updated(accountId, version);
    }

    /** Store partitions being restored from their topic right now (the global store's). */
    int restoringStores() {
        return restoring.restoring();
    }

    @PreDestroy
    void close() {
        KafkaStreamsMetrics bound = metrics;
        if (bound != null) {
            bound.close();
        }
    }
}
