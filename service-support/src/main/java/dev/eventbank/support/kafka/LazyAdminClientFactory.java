package dev.eventbank.support.kafka;

import io.micronaut.configuration.kafka.admin.AdminClientFactory;
import io.micronaut.configuration.kafka.config.KafkaDefaultConfiguration;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Prototype;
import io.micronaut.context.annotation.Replaces;
import org.apache.kafka.clients.admin.AdminClient;

/**
 * micronaut-kafka's {@code AdminClient} bean, made only when something asks for one (nothing in our services does).
 * The services start with every singleton created ({@code ServiceLauncher}), and micronaut-kafka's singleton would
 * then open a Kafka client of its own for the life of the process, before the start has waited for the broker
 * ({@link BrokerWait}): with a broker host name that does not resolve yet it failed the start at once.
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
