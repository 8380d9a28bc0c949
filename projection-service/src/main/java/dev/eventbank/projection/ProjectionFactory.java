package dev.eventbank.projection;

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
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Wires the {@link AccountStateProjection} into a running Kafka Streams app from configuration; no logic here.
 * The app starts with the context (topics first) and closes with it.
 */
@Factory
class ProjectionFactory {

    /** The compacted topic of the bank-wide totals (one key); not in the shared catalogue yet. */
    static final TopicSpec BANK_TOTALS = new TopicSpec(ReadSideNames.BANK_TOTALS_TOPIC, Topics.DEFAULT_PARTITIONS,
            Map.of("cleanup.policy", "compact"));

    @Singleton
    SchemaRegistryClient schemaRegistryClient(@Value("${schema-registry.url}") String url) {
        return SchemaRegistryClients.forUrl(url);
    }

    @Singleton
    LogProgress logProgress() {
        return new LogProgress();
    }

    @Singleton
    Topology accountStateTopology(SchemaRegistryClient registry, LogProgress progress,
                                  @Value("${eventbank.snapshots.every-events:100}") int snapshotEvery,
                                  @Value("${eventbank.snapshots.every-activity:0s}") java.time.Duration snapshotEveryActivity) {
        StreamsBuilder builder = new StreamsBuilder();
        AccountStateProjection.build(builder, registry, new Snapshots.Policy(snapshotEvery, snapshotEveryActivity), progress);
        return builder.build();
    }

    @Context
    @Bean(preDestroy = "close")
    ProjectionStreams projectionStreams(Topology topology,
                                        @Value("${kafka.bootstrap.servers:localhost:9092}") String bootstrapServers,
                                        @Value("${eventbank.streams.application-id:" + ApplicationIds.PROJECTION + "}") String applicationId,
                                        @Value("${eventbank.streams.state-dir}") String stateDir,
                                        @Value("${eventbank.streams.commit-interval-ms:0}") long commitIntervalMs,
                                        @Value("${eventbank.topics.partitions:12}") int partitions,
                                        @Value("${eventbank.topics.replication-factor:1}") short replicationFactor,
                                        @Value("${eventbank.streams.application-server:}") String applicationServer) {
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        properties.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs);
        properties.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) replicationFactor);
        properties.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        if (!applicationServer.isBlank()) {
            // host:port other instances forward interactive queries to (see PartitionRouter)
            properties.put(StreamsConfig.APPLICATION_SERVER_CONFIG, applicationServer);
        }
        List<TopicSpec> topics = new ArrayList<>(Topics.PROJECTION_SIDE);
        topics.add(BANK_TOTALS);
        ProjectionStreams streams = new ProjectionStreams(topology, properties, topics, partitions, replicationFactor);
        streams.start();
        return streams;
    }

    @Singleton
    AccountTimeline accountTimeline(ProjectionStreams streams, SchemaRegistryClient registry) {
        KafkaStreams kafkaStreams = streams.kafkaStreams();
        return new AccountTimeline(
                () -> kafkaStreams.store(StoreQueryParameters.fromNameAndType(Stores.ACCOUNT_STATE,
                        QueryableStoreTypes.<String, AccountState>keyValueStore())),
                () -> kafkaStreams.store(StoreQueryParameters.fromNameAndType(ReadSideNames.ACCOUNT_HISTORY_STORE,
                        QueryableStoreTypes.<String, byte[]>keyValueStore())),
                () -> kafkaStreams.store(StoreQueryParameters.fromNameAndType(ReadSideNames.ACCOUNT_SNAPSHOT_STORE,
                        QueryableStoreTypes.<String, AccountSnapshot>keyValueStore())),
                AvroSerdes.value(BankAccountEvent.class, registry).deserializer());
    }

    @Singleton
    BankTotalsReader bankTotalsReader(ProjectionStreams streams) {
        return new BankTotalsReader(() -> streams.kafkaStreams().store(StoreQueryParameters.fromNameAndType(
                ReadSideNames.BANK_TOTALS_STORE, QueryableStoreTypes.<String, BankTotals>keyValueStore())));
    }

    @Singleton
    PartitionRouter partitionRouter(ProjectionStreams streams,
                                    @Value("${eventbank.streams.application-server:}") String applicationServer) {
        return new PartitionRouter(streams.kafkaStreams(),
                applicationServer.isBlank() ? null : HostInfo.buildFromEndpoint(applicationServer));
    }

    /** Keeps meters in memory for {@code GET /metrics}; add a registry implementation to export them. */
    @Singleton
    MeterRegistry simpleMeterRegistry() {
        return new SimpleMeterRegistry();
    }

    @Singleton
    ProjectionLagMetrics projectionLagMetrics(ProjectionStreams streams, LogProgress progress,
                                              @Value("${eventbank.topics.partitions:12}") int partitions) {
        return new ProjectionLagMetrics(streams.kafkaStreams()::metrics, progress, partitions, System::currentTimeMillis);
    }

    @Singleton
    KafkaStreamsMetrics kafkaStreamsMetrics(ProjectionStreams streams) {
        return new KafkaStreamsMetrics(streams.kafkaStreams());
    }
}
