package dev.eventbank.query;

import dev.eventbank.support.kafka.KafkaClientSecurity;
import dev.eventbank.schemas.catalog.ApplicationIds;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import dev.eventbank.support.streams.ManagedStreams;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import io.micronaut.json.JsonMapper;
import io.micronaut.scheduling.TaskExecutors;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;

/**
 * Wires the {@link AccountViewTopology} into a running Kafka Streams app and the query use cases on top of it;
 * no logic here. The app starts with the context and closes with it.
 */
@Factory
class QueryFactory {

    @Singleton
    SchemaRegistryClient schemaRegistryClient(@Value("${schema-registry.url}") String url,
                                              @Value("${schema-registry.basic-auth-user-info:}") String userInfo) {
        // user:password for the registry's writes (env SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO), Confluent's property names
        return SchemaRegistryClients.forConfig(Map.of(SchemaRegistryClients.URL, url, SchemaRegistryClients.USER_INFO, userInfo));
    }

    @Singleton
    VersionWaiters versionWaiters(@Value("${eventbank.query.max-waiting-reads:10000}") int maxWaitingReads) {
        return new VersionWaiters(maxWaitingReads);
    }

    /**
     * The view's Kafka Streams app; it creates the state topic if missing. The topology is global-only (one global
     * store), so Kafka Streams runs no stream threads and joins no consumer group; the application id names its
     * state directory and clients. Records on the state topic that cannot be decoded are logged and skipped.
     * Limits: if the global thread dies, the app goes to ERROR and {@code /health} reports DOWN; a restart (by the
     * orchestrator) is the remedy.
     */
    @Context
    @Bean(preDestroy = "close")
    ManagedStreams viewStreams(SchemaRegistryClient registry, VersionWaiters waiters, MeterRegistry meterRegistry,
                               KafkaClientSecurity kafkaSecurity,
                               @Value("${kafka.bootstrap.servers:localhost:9092}") String bootstrapServers,
                               @Value("${eventbank.streams.application-id:" + ApplicationIds.QUERY_VIEW + "}") String applicationId,
                               @Value("${eventbank.streams.state-dir}") String stateDir,
                               @Value("${eventbank.topics.partitions:12}") int partitions,
                               @Value("${eventbank.topics.replication-factor:1}") short replicationFactor) {
        StreamsBuilder builder = new StreamsBuilder();
        AccountViewTopology.build(builder, registry, waiters);
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.putAll(kafkaSecurity.properties());
        // read_committed: the view only ever shows states of committed projection transactions
        properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        properties.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        properties.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        ManagedStreams streams = new ManagedStreams(builder.build(), properties, List.of(Topics.STATE), partitions,
                replicationFactor, meterRegistry);
        streams.start();
        return streams;
    }

    /** Created at start ({@code @Context}), so a missing internal password is logged then, not at the first read. */
    @Context
    ProjectionClient projectionClient(@Value("${eventbank.query.projection-url:http://localhost:8084}") String url,
                                      @Value("${eventbank.query.projection-timeout:5s}") java.time.Duration timeout,
                                      JsonMapper json,
                                      @Value("${eventbank.security.internal.username:query-service}") String username,
                                      @Value("${eventbank.security.internal.password:}") String password) {
        return new ProjectionClient(url, timeout, json, username, password);
    }

    @Singleton
    ProjectionReads projectionReads(ProjectionClient projection, SchemaRegistryClient registry) {
        return new ProjectionReads(projection, registry);
    }

    @Singleton
    AccountQueries accountQueries(ManagedStreams streams, VersionWaiters waiters,
                                  @Named(TaskExecutors.IO) ExecutorService executor) {
        return new AccountQueries(new StoreAccountReader(streams.kafkaStreams()), waiters, executor);
    }
}
