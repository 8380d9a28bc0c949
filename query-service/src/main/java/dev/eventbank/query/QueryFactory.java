package dev.eventbank.query;

import dev.eventbank.support.readyourwrites.VersionWaiters;
import dev.eventbank.support.kafka.KafkaClients;
import dev.eventbank.support.settings.Settings;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.serde.AvroSerdes;
import io.micronaut.context.BeanProvider;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.util.SupplierUtil;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
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
        return new VersionWaiters((int) Settings.atLeast("eventbank.query.max-waiting-reads", maxWaitingReads, 1));
    }

    /** Created at start ({@code @Context}), so a missing internal password is logged then, not at the first read. */
    @Context
    ProjectionClient projectionClient(@Value("${eventbank.query.projection-url:http://localhost:8084}") String url,
                                      @Value("${eventbank.query.projection-timeout:5s}") java.time.Duration timeout,
                                      JsonMapper json,
                                      @Value("${eventbank.security.internal.username:query-service}") String username,
                                      @Value("${eventbank.security.internal.password:}") String password,
                                      @Value("${eventbank.query.max-projection-reads:" + ProjectionClient.DEFAULT_MAX_IN_FLIGHT + "}") int maxInFlight) {
        return new ProjectionClient(url, Settings.positive("eventbank.query.projection-timeout", timeout), json, username,
                password, (int) Settings.atLeast("eventbank.query.max-projection-reads", maxInFlight, 1));
    }

    @Singleton
    ProjectionReads projectionReads(ProjectionClient projection, SchemaRegistryClient registry) {
        return new ProjectionReads(projection, registry);
    }

    /**
     * Read-your-writes before the projection has published a state ({@link FreshFold}); unless
     * {@code eventbank.query.fresh-reads} is false. Started by {@link AccountViewStreams} with the view; the view is
     * reached through a provider because the view's app is created after this bean.
     */
    @Singleton
    @Bean(preDestroy = "close")
    @Requires(property = "eventbank.query.fresh-reads", notEquals = "false")
    FreshFold freshFold(BeanProvider<KafkaStreams> streams, SchemaRegistryClient registry, KafkaClients kafka,
                        VersionWaiters waiters,
                        @Value("${eventbank.query.fresh-fold-max-accounts:100000}") int maxAccounts) {
        // looked up once, at the fold's first event (the fold starts with the view's app), not for every event
        java.util.function.Supplier<AccountReader> view = SupplierUtil.memoized(() -> new StoreAccountReader(streams.get()));
        return new FreshFold(() -> new KafkaConsumer<>(freshFoldConsumer(kafka)),
                AvroSerdes.value(BankAccountEvent.class, registry).deserializer(),
                accountId -> view.get().find(accountId),
                (int) Settings.atLeast("eventbank.query.fresh-fold-max-accounts", maxAccounts, 1), waiters::updated);
    }

    /**
     * The {@link FreshFold}'s consumer: {@code kafka.*}, then {@code kafka.consumers.fresh-fold.*}, then what the
     * configuration may not change: committed events only (an aborted event must never be shown), no group (it is
     * assigned every partition and commits nothing), raw values (the fold decodes them with the registry).
     *
     * @return a new mutable map of consumer settings
     */
    static Map<String, Object> freshFoldConsumer(KafkaClients kafka) {
        Map<String, Object> settings = kafka.consumer(FRESH_FOLD, Map.of(ConsumerConfig.CLIENT_ID_CONFIG, "query-fresh-fold"));
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        settings.remove(ConsumerConfig.GROUP_ID_CONFIG);
        settings.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        settings.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        settings.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return settings;
    }

    /** The fresh fold's consumer's name in the configuration ({@code kafka.consumers.fresh-fold}). */
    static final String FRESH_FOLD = "fresh-fold";

    @Singleton
    AccountQueries accountQueries(KafkaStreams streams, VersionWaiters waiters, @Nullable FreshFold fold,
                                  @Named(TaskExecutors.IO) ExecutorService executor, MeterRegistry meters) {
        AccountReader view = new StoreAccountReader(streams);
        if (fold == null) {
            return new AccountQueries(view, waiters, executor);
        }
        FreshAccountReader reader = new FreshAccountReader(view, fold);
        // how much the fold does: events folded ahead of the view, accounts ahead now, lookups it answered
        FunctionCounter.builder("eventbank.query.fresh.fold.events", fold, FreshFold::foldedEvents)
                .description("events folded ahead of the view by the fresh fold").register(meters);
        Gauge.builder("eventbank.query.fresh.fold.accounts.ahead", fold, FreshFold::aheadCount)
                .description("accounts whose state in the fresh fold is newer than the view's").register(meters);
        // 0 while its consumer fails (no READ on the event log, the log not created yet): reads wait for the view
        Gauge.builder("eventbank.query.fresh.fold.reading", fold, f -> f.reading() ? 1 : 0)
                .description("1 while the fresh fold reads the event log, 0 while it waits to retry").register(meters);
        FunctionCounter.builder("eventbank.query.fresh.fold.answers", reader, FreshAccountReader::freshAnswers)
                .description("account lookups answered with the fresh fold's state, newer than the view's").register(meters);
        return new AccountQueries(reader, waiters, executor);
    }
}
