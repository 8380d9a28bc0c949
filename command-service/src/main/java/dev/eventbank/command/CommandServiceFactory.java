package dev.eventbank.command;

import dev.eventbank.command.ownership.OwnerDirectory;
import dev.eventbank.command.ownership.PartitionOwnership;
import dev.eventbank.command.routing.AccountOpening;
import dev.eventbank.command.routing.CommandMetrics;
import dev.eventbank.command.routing.CommandRouter;
import dev.eventbank.command.security.InstanceCredentials;
import dev.eventbank.command.writer.CommandSideTopics;
import dev.eventbank.command.writer.WriterSettings;
import dev.eventbank.schemas.catalog.ApplicationIds;
import dev.eventbank.schemas.catalog.TopicProvisioner;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Primary;
import dev.eventbank.support.kafka.BrokerWait;
import dev.eventbank.support.kafka.KafkaClients;
import dev.eventbank.support.settings.Settings;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * Wires the command service from configuration; no logic here. The COMMAND_SIDE topics are created (or checked)
 * first; the {@link PartitionOwnership} joins the writers' group once the HTTP server listens
 * ({@link OwnershipStarter}), since its client id carries the server's URL. Beans close in reverse order with
 * the context.
 */
@Factory
class CommandServiceFactory {

    @Singleton
    SchemaRegistryClient schemaRegistryClient(@Value("${schema-registry.url}") String url,
                                              @Value("${schema-registry.basic-auth-user-info:}") String userInfo) {
        // user:password for the registry's writes (env SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO), Confluent's property names
        return SchemaRegistryClients.forConfig(Map.of(SchemaRegistryClients.URL, url, SchemaRegistryClients.USER_INFO, userInfo));
    }

    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    /** The topics, created or checked first: the Kafka clients below depend on them so that they start after. */
    @Context
    CommandSideTopics topics(KafkaClients kafka,
                             @Value("${eventbank.topics.partitions:12}") int partitions,
                             @Value("${eventbank.topics.replication-factor:1}") short replicationFactor) {
        Settings.atLeast("eventbank.topics.partitions", partitions, 0);
        Settings.atLeast("eventbank.topics.replication-factor", replicationFactor, 1);
        BrokerWait.clusterId(kafka.admin(Map.of()), "check the command side's topics");
        try (Admin admin = Admin.create(kafka.admin(Map.of()))) {
            CommandSideTopics topics = CommandSideTopics.of(
                    new TopicProvisioner(admin, partitions, replicationFactor).ensure(Topics.COMMAND_SIDE));
            // the outcomes' retention as the cluster has it (an operator may have raised it for a longer window)
            org.apache.kafka.common.config.ConfigResource outcomes = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, Topics.COMMAND_OUTCOMES.name());
            String retention = admin.describeConfigs(java.util.List.of(outcomes)).all().get(30, java.util.concurrent.TimeUnit.SECONDS)
                    .get(outcomes).get("retention.ms").value();
            return topics.withOutcomesRetention(Long.parseLong(retention));
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("could not read the configuration of " + Topics.COMMAND_OUTCOMES.name() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the configuration of " + Topics.COMMAND_OUTCOMES.name(), e);
        }
    }

    @Singleton
    CommandMetrics commandMetrics(MeterRegistry registry) {
        return new CommandMetrics(registry);
    }

    @Singleton
    WriterSettings writerSettings(SchemaRegistryClient registry, CommandMetrics metrics, Clock clock,
                                  KafkaClients kafka, CommandSideTopics topics,
                                  @Value("${eventbank.commands.transactional-id-prefix:" + ApplicationIds.COMMAND_WRITERS + "}") String transactionalIdPrefix,
                                  @Value("${eventbank.commands.idempotency-window:24h}") Duration idempotencyWindow,
                                  @Value("${eventbank.commands.max-batch:500}") int maxBatch,
                                  @Value("${eventbank.commands.max-queued:" + WriterSettings.DEFAULT_MAX_QUEUED + "}") int maxQueued,
                                  @Value("${eventbank.commands.aggregates-interval:1s}") Duration aggregatesInterval,
                                  @Value("${eventbank.commands.state-dir}") String stateDir,
                                  @Value("${eventbank.commands.number-reservation-lease:30s}") Duration reservationLease) {
        topics.requireWithinOutcomesRetention(idempotencyWindow);
        WriterSettings.registerSchemas(registry);
        return WriterSettings.of(kafka, transactionalIdPrefix, idempotencyWindow, maxBatch, aggregatesInterval,
                        clock, registry, reservationLease, metrics)
                .withMaxQueued(maxQueued)
                .withCheckpoints(java.nio.file.Path.of(stateDir), topics.ids());
    }

    /**
     * The admin client that finds partition owners for forwarding ({@link OwnerDirectory}):
     * {@code kafka.*} with shorter timeouts. Primary over micronaut-kafka's own
     * {@code AdminClient} bean (kafka.* only, used by nothing here) because a forwarding lookup must fail within
     * seconds when the broker is away, not after the client's default 60 s.
     */
    @Singleton
    @Primary
    @Bean(preDestroy = "close")
    Admin admin(CommandSideTopics topics, KafkaClients kafka) {
        return Admin.create(kafka.admin(Map.of(
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000)));
    }

    @Singleton
    @Bean(preDestroy = "close")
    PartitionOwnership partitionOwnership(CommandSideTopics topics, WriterSettings settings,
                                          @Value("${eventbank.commands.group-id:" + ApplicationIds.COMMAND_WRITERS + "}") String groupId,
                                          @Value("${eventbank.commands.session-timeout:6s}") Duration sessionTimeout) {
        return new PartitionOwnership(groupId, Settings.positive("eventbank.commands.session-timeout", sessionTimeout),
                topics.partitions(), settings);
    }

    @Singleton
    @Bean(preDestroy = "close")
    CommandRouter commandRouter(PartitionOwnership ownership, OwnerDirectory directory, CommandMetrics metrics,
                                InstanceCredentials instanceCredentials) {
        return new CommandRouter(ownership, directory, metrics, instanceCredentials.headerValue());
    }

    @Singleton
    AccountOpening accountOpening(CommandRouter router, CommandMetrics metrics, Clock clock) {
        return new AccountOpening(router, metrics, clock);
    }

    @Singleton
    OwnerDirectory ownerDirectory(Admin admin, @Value("${eventbank.commands.group-id:" + ApplicationIds.COMMAND_WRITERS + "}") String groupId) {
        return new OwnerDirectory(admin, groupId);
    }
}
