package dev.eventbank.projection;

import dev.eventbank.schemas.catalog.TopicProvisioner;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import dev.eventbank.support.testing.Events;
import dev.eventbank.support.testing.ServiceUnderTest;
import dev.eventbank.testbroker.TestBroker;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Readiness means current: a projection that starts with a backlog of old events is not ready until it has folded
 * them. Kafka Streams fetches records ahead of what it has processed ({@code buffered.records.per.partition}), so the
 * fetch position reaches the log's end (the consumer's {@code records-lag} 0) while the fold is still behind;
 * readiness was UP then, with reads 38 to 53 s behind on a loaded local stack. And what it folded reaches
 * {@code bank-account-state}, which the query service's view reads, only with its next commit (once a second while it
 * works through a backlog): ready means committed that far.
 */
class ProjectionReadinessIT {

    private static final String REGISTRY_URL = ServiceUnderTest.sharedRegistryUrl();
    private static final int EVENTS = 20_000;

    @Test
    void shouldNotBeReadyUntilTheBacklogItFetchedIsFolded() throws Exception {
        // given a backlog of an hour-old events of one account in the log, before the projection starts
        String bootstrapServers = TestBroker.shared().bootstrapServers();
        SchemaRegistryClient registry = SchemaRegistryClients.forUrl(REGISTRY_URL);
        String accountId = UUID.randomUUID().toString();
        long anHourAgo = System.currentTimeMillis() - Duration.ofHours(1).toMillis();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            // as the services create it (the test broker may be fresh): the log must exist before the backlog
            new TopicProvisioner(admin, 3, (short) 1).ensure(List.of(Topics.EVENTS));
        }
        var serializer = AvroSerdes.value(BankAccountEvent.class, registry).serializer();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 20), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(record(accountId, anHourAgo, serializer.serialize(Topics.EVENTS.name(),
                    Events.opened(accountId, "100.00"))));
            BigDecimal balance = new BigDecimal("100.00");
            for (long version = 2; version <= EVENTS; version++) {
                balance = balance.add(BigDecimal.ONE);
                producer.send(record(accountId, anHourAgo, serializer.serialize(Topics.EVENTS.name(),
                        Events.deposited(accountId, version, "1.00", balance.setScale(2).toPlainString()))));
            }
            producer.flush();
        }

        // when a projection starts on it (a new application id: from the start of the log)
        try (EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, TestSecurity.secured(Map.of(
                "micronaut.server.port", -1,
                "kafka.bootstrap.servers", bootstrapServers,
                "schema-registry.url", REGISTRY_URL,
                "eventbank.streams.application-id", "projection-readiness-it-" + UUID.randomUUID(),
                "eventbank.streams.state-dir", ServiceUnderTest.stateDir("projection-readiness-it").toString(),
                "eventbank.topics.partitions", 3,
                // Kafka Streams buffers what it fetched ahead of its fold; a larger buffer than the default thousand
                // records per partition (an operator may set one) makes the fetch reach the log's end long before the
                // fold does, which readiness must not take for caught up
                "kafka.streams.projection.buffered.records.per.partition", 1_000_000)))) {
            HttpClient http = HttpClient.newHttpClient();
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            HttpResponse<String> readiness;
            do {
                if (System.nanoTime() > deadline) {
                    fail("the projection did not become ready within 3 minutes");
                }
                Thread.sleep(20);
                readiness = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + server.getPort()
                        + "/health/readiness")).build(), HttpResponse.BodyHandlers.ofString());
            } while (readiness.statusCode() != 200);

            // then: once ready, the last event of the backlog is folded and published: bank-account-state, which the
            // query service's view reads, has its version (read_committed, to the end as of now)
            String path = InternalApi.V1 + "/accounts/" + accountId + "/state?asOfVersion=" + EVENTS;
            HttpResponse<String> state = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + server.getPort()
                    + path)).header("Authorization", TestSecurity.authorizationFor(path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            InternalApi.StateAnswer answer = InternalApi.state(state, registry);
            assertEquals("FOUND", answer.outcome(), "ready at version " + answer.currentVersion() + " of " + EVENTS
                    + ": " + readiness.body());
            var states = AvroSerdes.value(AccountState.class, registry).deserializer();
            long published = TestTopics.readToEnd(bootstrapServers, Topics.STATE.name(), Duration.ofSeconds(60)).stream()
                    .filter(record -> accountId.equals(record.key()) && record.value() != null)
                    .mapToLong(record -> states.deserialize(Topics.STATE.name(), record.value()).getVersion())
                    .max().orElse(0);
            assertEquals(EVENTS, published, "published when it said ready: " + readiness.body());
        }
    }

    private static ProducerRecord<String, byte[]> record(String accountId, long timestamp, byte[] value) {
        return new ProducerRecord<>(Topics.EVENTS.name(), null, timestamp, accountId, value);
    }
}
