package dev.eventbank.projection;

import dev.eventbank.support.kafka.BrokerWait;
import dev.eventbank.support.kafka.KafkaClients;
import dev.eventbank.support.settings.Settings;
import dev.eventbank.support.streams.ClusterStateDirectory;
import dev.eventbank.projection.history.AccountHistoryProjection;
import dev.eventbank.projection.history.AccountTimeline;
import dev.eventbank.projection.internalapi.PartitionRouter;
import dev.eventbank.projection.pipeline.CommitAfterPause;
import dev.eventbank.projection.pipeline.CommitPacing;
import dev.eventbank.projection.pipeline.InternalTopicSettings;
import dev.eventbank.projection.pipeline.ReadSideTopology;
import dev.eventbank.projection.rebuild.BulkLoad;
import dev.eventbank.projection.rebuild.ProjectionGenerations;
import dev.eventbank.projection.snapshots.SnapshotProjection;
import dev.eventbank.projection.snapshots.Snapshots;
import dev.eventbank.projection.totals.BankTotalsProjection;
import dev.eventbank.projection.totals.BankTotalsReader;
import dev.eventbank.schemas.catalog.ApplicationIds;
import dev.eventbank.schemas.catalog.Stores;
import dev.eventbank.schemas.catalog.TopicSpec;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.readmodel.AccountSnapshot;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.readmodel.BankTotals;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.StreamsConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Wires the {@link ReadSideTopology} into running Kafka Streams apps from configuration; no logic here. The
 * {@link ProjectionGenerations} start with the context (topics first, then the active generation) and close with
 * it; every reader asks them for the active generation at the time of the read.
 */
@Factory
class ProjectionFactory {

    /**
     * The name of the projection's Kafka Streams apps in the configuration ({@code kafka.streams.<name>}). Not run by
     * micronaut-kafka's {@code KafkaStreamsFactory}: that starts one app per name when the context starts, and a
     * projection runs one app per generation, started and retired at run time by a rebuild
     * ({@link ProjectionGenerations}).
     */
    static final String STREAMS = "projection";

    /** The compacted topic of the bank-wide totals (one key); not in the shared catalogue yet. */
    static final TopicSpec BANK_TOTALS = new TopicSpec(BankTotalsProjection.TOPIC, Topics.DEFAULT_PARTITIONS,
            Map.of("cleanup.policy", "compact"));

    @Singleton
    SchemaRegistryClient schemaRegistryClient(@Value("${schema-registry.url}") String url,
                                              @Value("${schema-registry.basic-auth-user-info:}") String userInfo) {
        // user:password for the registry's writes (env SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO), Confluent's property names
        return SchemaRegistryClients.forConfig(Map.of(SchemaRegistryClients.URL, url, SchemaRegistryClients.USER_INFO, userInfo));
    }

    @Context
    @Bean(preDestroy = "close")
    ProjectionGenerations projectionGenerations(SchemaRegistryClient registry,
                                                @Value("${eventbank.snapshots.every-events:100}") int snapshotEvery,
                                                @Value("${eventbank.snapshots.every-activity:0s}") java.time.Duration snapshotEveryActivity,
                                                KafkaClients kafka,
                                                @Value("${eventbank.streams.application-id:" + ApplicationIds.PROJECTION + "}") String applicationId,
                                                @Value("${eventbank.streams.state-dir}") String stateDir,
                                                @Value("${eventbank.streams.commit-interval-ms:100}") long commitIntervalMs,
                                                @Value("${eventbank.streams.commit-after-pause-ms:0}") long commitAfterPauseMs,
                                                @Value("${eventbank.streams.backlog-commit-interval-ms:1000}") long backlogCommitIntervalMs,
                                                @Value("${eventbank.topics.partitions:12}") int partitions,
                                                @Value("${eventbank.topics.replication-factor:1}") short replicationFactor,
                                                @Value("${eventbank.streams.application-server:}") String applicationServer,
                                                @Value("${eventbank.streams.instance-id:}") String instanceId,
                                                @Value("${eventbank.streams.session-timeout:6s}") java.time.Duration sessionTimeout,
                                                @Value("${eventbank.streams.standby-replicas:0}") int standbyReplicas,
                                                @Value("${eventbank.rebuild.call-timeout:90s}") java.time.Duration rebuildCallTimeout,
                                                @Value("${eventbank.streams.live-fetch-wait-ms:100}") long fetchWaitMs,
                                                @Value("${eventbank.streams.ready-max-lag:1s}") java.time.Duration readyMaxLag,
                                                @Value("${eventbank.rebuild.bulk-load.enabled:true}") boolean bulkLoad,
                                                @Value("${eventbank.rebuild.bulk-load.events-per-transaction:100000}") int bulkLoadEventsPerTransaction,
                                                @Value("${eventbank.rebuild.bulk-load.max-accounts-per-partition:100000}") int bulkLoadMaxAccounts) {
        // every setting checked before the streams start: a start that fails after joined the projection's group
        // and made the running instances rebalance (readiness's own setting is read again by StreamsHealthIndicator,
        // made after this)
        Settings.notNegative("eventbank.streams.ready-max-lag", readyMaxLag);
        Settings.notNegative("eventbank.snapshots.every-activity", snapshotEveryActivity);
        Settings.positive("eventbank.streams.session-timeout", sessionTimeout);
        Settings.positive("eventbank.rebuild.call-timeout", rebuildCallTimeout);
        Settings.atLeast("eventbank.snapshots.every-events", snapshotEvery, 0);
        Settings.atLeast("eventbank.streams.commit-interval-ms", commitIntervalMs, 0);
        Settings.atLeast("eventbank.streams.commit-after-pause-ms", commitAfterPauseMs, 0);
        Settings.atLeast("eventbank.streams.backlog-commit-interval-ms", backlogCommitIntervalMs, 0);
        Settings.atLeast("eventbank.streams.standby-replicas", standbyReplicas, 0);
        Settings.atLeast("eventbank.streams.live-fetch-wait-ms", fetchWaitMs, 0);
        Settings.atLeast("eventbank.topics.partitions", partitions, 0);
        Settings.atLeast("eventbank.topics.replication-factor", replicationFactor, 1);
        Settings.atLeast("eventbank.rebuild.bulk-load.events-per-transaction", bulkLoadEventsPerTransaction, 1);
        Settings.atLeast("eventbank.rebuild.bulk-load.max-accounts-per-partition", bulkLoadMaxAccounts, 1);
        Snapshots.Policy snapshots = new Snapshots.Policy(snapshotEvery, snapshotEveryActivity);
        ProjectionGenerations.TopologyFactory topologies = (progress, publishing) -> {
            StreamsBuilder builder = new StreamsBuilder();
            ReadSideTopology.build(builder, registry, snapshots, progress, publishing,
                    new CommitPacing(new CommitAfterPause(commitAfterPauseMs), commitIntervalMs));
            return builder.build();
        };
        Map<String, Object> properties = tunableProperties(commitIntervalMs, backlogCommitIntervalMs, replicationFactor,
                standbyReplicas, applicationServer);
        properties.putAll(batchedFetch(fetchWaitMs));
        List<TopicSpec> topics = new ArrayList<>(Topics.PROJECTION_SIDE);
        topics.add(BANK_TOTALS);
        Path clusterStateDir;
        // every generation's checkpoints hold offsets of one cluster's topics: never restore them from another's
        // (the instance id stays in the configured directory: it names this instance, whatever the cluster)
        clusterStateDir = ClusterStateDirectory.of(Path.of(stateDir), BrokerWait.clusterId(kafka.admin(Map.of()),
                "read the Kafka cluster's id"));
        ProjectionGenerations generations = new ProjectionGenerations(topologies, streamsProperties(kafka, properties,
                StaticMembership.instanceId(instanceId, Path.of(stateDir)), sessionTimeout), applicationId,
                clusterStateDir, topics, partitions, replicationFactor, registry, rebuildCallTimeout,
                bulkLoad ? new BulkLoad.Options(snapshots, bulkLoadEventsPerTransaction, bulkLoadMaxAccounts) : null);
        generations.start();
        return generations;
    }

    /**
     * Every generation's fetches in batches: its main consumer waits up to {@code waitMs} for
     * {@value #BATCHED_FETCH_MIN_BYTES} bytes, so that at a low write rate the stream thread, its producer and the
     * broker handle one fetch and one round of the topology per interval rather than per event. Nothing waits for the
     * projection on a read-your-writes path (the query service folds the events itself) and it commits fresh events
     * at most every {@code eventbank.streams.commit-interval-ms} anyway, so {@code bank-account-state} trails the log
     * by up to one more {@code waitMs}. Measured (bin/bench, back to back): a third to a half less projection CPU per
     * command at one client, {@code bank-account-state} no later at the median (docs/write-side-performance.md). A
     * rebuild's backlog fills each fetch at once; near the log's end the rebuild trails a steady writer by up to the
     * wait, which its switch allows for (CatchUp, RebuildSwitchUnderLoadIT). {@code kafka.streams.projection.main.consumer.*}
     * overrides it.
     *
     * @param waitMs longest wait of a fetch, ms; 0 or less for Kafka's defaults (a fetch answers with one record)
     * @return main-consumer properties, empty when off
     */
    static Map<String, Object> batchedFetch(long waitMs) {
        if (waitMs <= 0) {
            return Map.of();
        }
        return Map.of(StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), (int) waitMs,
                StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MIN_BYTES_CONFIG), BATCHED_FETCH_MIN_BYTES);
    }

    /** A fetch's size that answers before its wait: what about a thousand events take (about 250 bytes each). */
    static final int BATCHED_FETCH_MIN_BYTES = 256 * 1024;

    /**
     * Every generation's Kafka Streams settings that {@code kafka.streams.projection.*} may still change (the defaults
     * this service chooses); {@link #streamsProperties} lays them over {@code kafka.*} and under the configuration.
     *
     * @param commitIntervalMs        fresh events' commit interval (CommitPacing), ms
     * @param backlogCommitIntervalMs Kafka Streams' own commit interval, for a backlog, ms
     * @param applicationServer       host:port for interactive-query routing, blank for a single instance
     * @return a new mutable map of Kafka Streams property names to values
     */
    static Map<String, Object> tunableProperties(long commitIntervalMs, long backlogCommitIntervalMs,
                                                 short replicationFactor, int standbyReplicas, String applicationServer) {
        Map<String, Object> properties = new java.util.HashMap<>();
        // Kafka Streams' own interval is the backlog's: fresh events ask for commits at commitIntervalMs (CommitPacing)
        properties.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Math.max(commitIntervalMs, backlogCommitIntervalMs));
        // the stream thread checks whether a commit is due only between polls: an event processed before the
        // interval was up would otherwise wait for the next poll to time out (poll.ms, 100 ms by default) before it
        // commits and becomes visible (measured: 108 ms p50 command-to-visible with a 20 ms interval)
        properties.put(StreamsConfig.POLL_MS_CONFIG, Math.max(1, Math.min(100, commitIntervalMs / 4)));
        properties.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) replicationFactor);
        // the internal topics' indexes: 1 MiB instead of the broker's 10 MiB, as the bulk load's (InternalTopicSettings)
        properties.put(StreamsConfig.topicPrefix(TopicConfig.SEGMENT_INDEX_BYTES_CONFIG), InternalTopicSettings.SEGMENT_INDEX_BYTES);
        // every task reads one partition of one topic (no joins), so there is nothing to wait for before processing;
        // with the default (0) Kafka Streams formats a log message for every empty task in every round
        // (PartitionGroup#readyToProcess), about a tenth of the stream thread's CPU in a rebuild's profile
        properties.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
        properties.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        // sendOffsetsToTransaction right after the last commit meets CONCURRENT_TRANSACTIONS until that commit's
        // markers are written, and the client retries after retry.backoff.ms (default 100 ms): a 42 ms mean
        // transaction here, 5 ms with this (docs/write-side-performance.md)
        properties.put(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG), 5);
        // with several instances, 1 keeps a warm copy of each store on another one, so a failover replays only what
        // the copy missed; 0 by default, as one instance has nowhere to put it (Kafka Streams warns per task)
        properties.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, standbyReplicas);
        if (!applicationServer.isBlank()) {
            // host:port other instances forward interactive queries to (see PartitionRouter)
            properties.put(StreamsConfig.APPLICATION_SERVER_CONFIG, applicationServer);
        }
        return properties;
    }

    /**
     * Every generation's Kafka Streams properties but its application id and state directory: {@code kafka.*}, then
     * {@code tunable}, then {@code kafka.streams.projection.*}, then what the configuration may not change:
     * exactly-once (a read model and the states it publishes to {@code bank-account-state} move together, or neither
     * does) and this instance's static membership (a {@code group.instance.id} shared by two instances fences one of
     * them out of the group; the session timeout is {@code eventbank.streams.session-timeout}'s).
     *
     * @param instanceId     this instance's {@code group.instance.id} ({@link StaticMembership#instanceId})
     * @param sessionTimeout how long the group waits for a silent member
     * @return new properties
     */
    static Properties streamsProperties(KafkaClients kafka, Map<String, Object> tunable, String instanceId,
                                        java.time.Duration sessionTimeout) {
        Properties properties = kafka.streams(STREAMS, tunable);
        properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // a restarted or crashed instance takes its partitions back at once (StaticMembership)
        properties.putAll(StaticMembership.properties(instanceId, sessionTimeout));
        return properties;
    }

    /**
     * Reads go to the stores of the generation active at the time of the read, only while it can serve them
     * ({@link dev.eventbank.support.streams.ManagedStreams#queryableStore}: else a 503 to retry).
     */
    @Singleton
    AccountTimeline accountTimeline(ProjectionGenerations generations, SchemaRegistryClient registry) {
        return new AccountTimeline(
                () -> generations.active().streams().queryableStore(StoreQueryParameters.fromNameAndType(Stores.ACCOUNT_STATE,
                        QueryableStoreTypes.<String, AccountState>keyValueStore())),
                () -> generations.active().streams().queryableStore(StoreQueryParameters.fromNameAndType(AccountHistoryProjection.STORE,
                        QueryableStoreTypes.<String, byte[]>keyValueStore())),
                () -> generations.active().streams().queryableStore(StoreQueryParameters.fromNameAndType(SnapshotProjection.STORE,
                        QueryableStoreTypes.<String, AccountSnapshot>keyValueStore())),
                AvroSerdes.value(BankAccountEvent.class, registry).deserializer());
    }

    @Singleton
    BankTotalsReader bankTotalsReader(ProjectionGenerations generations) {
        return new BankTotalsReader(() -> generations.active().streams().queryableStore(StoreQueryParameters.fromNameAndType(
                BankTotalsProjection.STORE, QueryableStoreTypes.<String, BankTotals>keyValueStore())));
    }

    @Singleton
    PartitionRouter partitionRouter(ProjectionGenerations generations,
                                    @Value("${eventbank.streams.application-server:}") String applicationServer) {
        return new PartitionRouter(() -> generations.active().streams().kafkaStreams(),
                applicationServer.isBlank() ? null : HostInfo.buildFromEndpoint(applicationServer));
    }

    @Singleton
    ProjectionLagMetrics projectionLagMetrics(ProjectionGenerations generations,
                                              @Value("${eventbank.topics.partitions:12}") int partitions) {
        return new ProjectionLagMetrics(() -> generations.active().streams().kafkaStreams().metrics(),
                () -> generations.active().progress(), partitions, System::currentTimeMillis);
    }

    /** Records the active generation sent to the dead-letter topic. */
    @Singleton
    DeadLetterMetrics deadLetterMetrics(ProjectionGenerations generations) {
        return new DeadLetterMetrics(() -> generations.active().streams().kafkaStreams().metrics());
    }

    /** The Kafka Streams client metrics ({@code kafka.*}) of the active generation, re-bound at each switch. */
    @Singleton
    ActiveStreamsMetrics activeStreamsMetrics(ProjectionGenerations generations) {
        return new ActiveStreamsMetrics(generations);
    }
}
