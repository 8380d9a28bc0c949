package dev.eventbank.command;

import dev.eventbank.command.gateway.CommandGateway;
import dev.eventbank.command.gateway.CommandMetrics;
import dev.eventbank.command.gateway.CommandResultsListener;
import dev.eventbank.command.gateway.RecentResults;
import dev.eventbank.command.processor.CommandProcessorTopology;
import dev.eventbank.schemas.catalog.ApplicationIds;
import dev.eventbank.schemas.catalog.TopicProvisioner;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.commands.BankAccountCommand;
import dev.eventbank.schemas.commands.CommandResult;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import dev.eventbank.support.streams.ManagedStreams;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;

import java.time.Clock;
import java.util.Map;
import java.util.Properties;

/**
 * Wires the command service from configuration; no logic here. Start order, all before the HTTP server takes
 * requests: the COMMAND_SIDE topics are created (or checked), the results listener is positioned at the end of
 * every partition, then the command processor starts. Beans close in reverse order with the context.
 */
@Factory
class CommandServiceFactory {

    /** Marks that the topics exist; the Kafka clients below depend on it so that they start after it. */
    record TopicsReady() {
    }

    @Singleton
    SchemaRegistryClient schemaRegistryClient(@Value("${schema-registry.url}") String url) {
        return SchemaRegistryClients.forUrl(url);
    }

    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Context
    TopicsReady topics(@Value("${kafka.bootstrap.servers:localhost:9092}") String bootstrapServers,
                       @Value("${eventbank.topics.partitions:12}") int partitions,
                       @Value("${eventbank.topics.replication-factor:1}") short replicationFactor) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            new TopicProvisioner(admin, partitions, replicationFactor).ensure(Topics.COMMAND_SIDE);
        }
        return new TopicsReady();
    }

    @Singleton
    CommandMetrics commandMetrics(MeterRegistry registry) {
        return new CommandMetrics(registry);
    }

    @Singleton
    RecentResults recentResults(@Value("${eventbank.commands.recent-results:10000}") int capacity) {
        return new RecentResults(capacity);
    }

    @Context
    @Bean(preDestroy = "close")
    CommandResultsListener commandResultsListener(TopicsReady topics, SchemaRegistryClient registry, RecentResults recent,
                                                  CommandMetrics metrics,
                                                  @Value("${kafka.bootstrap.servers:localhost:9092}") String bootstrapServers,
                                                  @Value("${eventbank.commands.results-fetch-max-wait-ms:100}") int fetchMaxWaitMs) {
        return new CommandResultsListener(bootstrapServers, fetchMaxWaitMs,
                AvroSerdes.value(CommandResult.class, registry).deserializer(), recent, metrics);
    }

    @Singleton
    @Bean(preDestroy = "close")
    CommandGateway commandGateway(CommandResultsListener listener, SchemaRegistryClient registry, RecentResults recent,
                                  CommandMetrics metrics,
                                  @Value("${kafka.bootstrap.servers:localhost:9092}") String bootstrapServers) {
        return new CommandGateway(bootstrapServers, AvroSerdes.value(BankAccountCommand.class, registry).serializer(),
                listener, recent, metrics);
    }

    @Context
    @Bean(preDestroy = "close")
    ManagedStreams commandProcessorStreams(TopicsReady topics, CommandResultsListener listener,
                                           SchemaRegistryClient registry, MeterRegistry meterRegistry,
                                           @Value("${kafka.bootstrap.servers:localhost:9092}") String bootstrapServers,
                                           @Value("${eventbank.streams.application-id:" + ApplicationIds.COMMAND_PROCESSOR + "}") String applicationId,
                                           @Value("${eventbank.streams.state-dir}") String stateDir,
                                           @Value("${eventbank.streams.commit-interval-ms:5}") long commitIntervalMs,
                                           @Value("${eventbank.streams.standby-replicas:1}") int standbyReplicas,
                                           @Value("${eventbank.streams.session-timeout-ms:6000}") int sessionTimeoutMs,
                                           @Value("${eventbank.streams.poll-ms:100}") long pollMs,
                                           @Value("${eventbank.streams.fetch-max-wait-ms:100}") int fetchMaxWaitMs,
                                           @Value("${eventbank.streams.threads:1}") int threads,
                                           @Value("${eventbank.topics.replication-factor:1}") short replicationFactor) {
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        // store update, events, result and input offset commit in one transaction; implies acks=all
        properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // Under exactly-once a result is readable only once committed. 0 = commit after every batch the thread
        // polled: one command alone is committed at once, and under load the commands that arrived while a
        // commit was in flight share the next transaction (group commit), so batches grow with the load.
        properties.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs);
        // a poll returns as soon as a command arrives; these only bound how long an idle thread waits
        properties.put(StreamsConfig.POLL_MS_CONFIG, pollMs);
        properties.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), fetchMaxWaitMs);
        // each thread has its own producer, so its own transactions: more threads commit in parallel (a gain
        // only when the broker and this process have CPU to spare)
        properties.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
        properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        properties.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) replicationFactor);
        // a warm copy of each store on another instance makes failover fast (no effect with one instance)
        properties.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, standbyReplicas);
        // a command nobody can read is logged and skipped rather than stopping its partition for good
        properties.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        properties.put(StreamsConfig.producerPrefix(ProducerConfig.ACKS_CONFIG), "all");
        // events and result are sent when the batch commits anyway: a linger would only delay the commit
        properties.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0);
        // the partitions of a crashed instance wait this long for a new owner: keep the write side's outage short
        properties.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), sessionTimeoutMs);
        properties.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), Math.max(sessionTimeoutMs / 4, 500));
        ManagedStreams streams = new ManagedStreams(CommandProcessorTopology.build(registry), properties, meterRegistry);
        streams.start();
        return streams;
    }
}
