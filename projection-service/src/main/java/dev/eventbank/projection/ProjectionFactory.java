package dev.eventbank.projection;

import dev.eventbank.schemas.catalog.ApplicationIds;
import dev.eventbank.schemas.catalog.Topics;
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
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;

import java.util.Properties;

/**
 * Wires the {@link AccountStateProjection} into a running Kafka Streams app from configuration; no logic here.
 * The app starts with the context (topics first) and closes with it.
 */
@Factory
class ProjectionFactory {

    @Singleton
    SchemaRegistryClient schemaRegistryClient(@Value("${schema-registry.url}") String url) {
        return SchemaRegistryClients.forUrl(url);
    }

    @Singleton
    Topology accountStateTopology(SchemaRegistryClient registry) {
        StreamsBuilder builder = new StreamsBuilder();
        AccountStateProjection.build(builder, registry);
        return builder.build();
    }

    @Context
    @Bean(preDestroy = "close")
    ProjectionStreams projectionStreams(Topology topology,
                                        @Value("${kafka.bootstrap.servers:localhost:9092}") String bootstrapServers,
                                        @Value("${eventbank.streams.application-id:" + ApplicationIds.PROJECTION + "}") String applicationId,
                                        @Value("${eventbank.streams.state-dir}") String stateDir,
                                        @Value("${eventbank.streams.commit-interval-ms:100}") long commitIntervalMs,
                                        @Value("${eventbank.topics.partitions:12}") int partitions,
                                        @Value("${eventbank.topics.replication-factor:1}") short replicationFactor) {
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        properties.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs);
        properties.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) replicationFactor);
        properties.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        ProjectionStreams streams = new ProjectionStreams(topology, properties, Topics.PROJECTION_SIDE, partitions,
                replicationFactor);
        streams.start();
        return streams;
    }

    /** Keeps meters in memory for {@code GET /metrics}; add a registry implementation to export them. */
    @Singleton
    MeterRegistry simpleMeterRegistry() {
        return new SimpleMeterRegistry();
    }

    @Singleton
    KafkaStreamsMetrics kafkaStreamsMetrics(ProjectionStreams streams) {
        return new KafkaStreamsMetrics(streams.kafkaStreams());
    }
}
