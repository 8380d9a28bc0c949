package dev.eventbank.registry;

import io.micronaut.configuration.kafka.admin.AdminClientFactory;
import io.micronaut.configuration.kafka.config.KafkaDefaultConfiguration;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Prototype;
import io.micronaut.context.annotation.Replaces;
import org.apache.kafka.clients.admin.AdminClient;

/**
 * micronaut-kafka's {@code AdminClient} bean, made only when something asks for one (nothing in the registry does).
 * The registry starts with every singleton created ({@code ServiceLauncher}), and micronaut-kafka's singleton would then
 * open a Kafka client of its own for the life of the process, and fail the start at once while the broker's host name
 * does not resolve (the store's own clients retry in the background). A copy of service-support's, which the registry
 * does not depend on (it keeps Confluent's error shape, not the services' problem+json).
 */
@Factory
final class LazyAdminClientFactory {

    /** The same client as micronaut-kafka's, {@code kafka.*} settings, one per injection point. */
    @Prototype
    @Replaces(factory = AdminClientFactory.class, bean = AdminClient.class)
    @Bean(preDestroy = "close")
    AdminClient adminClient(KafkaDefaultConfiguration configuration) {
        return AdminClient.create(configuration.getConfig());
    }
}
