package dev.eventbank.query;

import dev.eventbank.support.readyourwrites.VersionWaiters;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import io.micronaut.json.JsonMapper;
import io.micronaut.scheduling.TaskExecutors;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.KafkaStreams;

import java.util.Map;
import java.util.concurrent.ExecutorService;

/**
 * Wires the query use cases on top of the view's Kafka Streams app ({@link AccountViewStreams}, run by
 * micronaut-kafka); no logic here.
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
    AccountQueries accountQueries(KafkaStreams streams, VersionWaiters waiters, ProjectionReads projection,
                                  @Named(TaskExecutors.IO) ExecutorService executor,
                                  @Value("${eventbank.query.fresh-reads:true}") boolean freshReads) {
        // fresh reads: a minVersion read the view cannot answer yet also asks the projection's store, which has the
        // state a commit and a topic hop earlier (docs/read-side-performance.md)
        return new AccountQueries(new StoreAccountReader(streams), waiters, executor,
                freshReads ? projection::latest : AccountQueries.FreshSource.NONE);
    }
}
