package dev.eventbank.query;

import dev.eventbank.localkafka.LocalKafkaBroker;
import dev.eventbank.schemas.catalog.TopicProvisioner;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.common.AccountStatus;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import dev.eventbank.support.testing.ServiceUnderTest;
import dev.eventbank.testbroker.TestBroker;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The view's state directory used with another Kafka cluster (a second environment on the same host, or a broker
 * whose data was reset) whose {@code bank-account-state} has reached the offsets of the view's checkpoint: the view
 * must show that cluster's accounts, not the first one's. Two real brokers; the service restarted on the same state
 * directory and application id, as a deployment keeps them.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StateDirectoryClusterIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String REGISTRY_URL = ServiceUnderTest.sharedRegistryUrl();
    private static final int PARTITIONS = 3;

    @Test
    void shouldShowTheNewClustersAccountsAndNotTheOldOnesWhenTheStateDirectoryWasTheOtherClusters() throws Exception {
        Path stateDir = ServiceUnderTest.stateDir("cluster-it");
        String applicationId = "cluster-it-" + UUID.randomUUID();
        String shared = TestBroker.shared().bootstrapServers();
        String before = UUID.randomUUID().toString();

        // given: the view read an account of the first cluster and stopped cleanly (its checkpoint written)
        Map<TopicPartition, Long> reached;
        try (EmbeddedServer server = start(shared, stateDir, applicationId)) {
            publish(shared, List.of(new ProducerRecord<>(Topics.STATE.name(), before, state(before))));
            assertEquals(200, awaitStatus(server, before, 200), "the first cluster's account");
            reached = endOffsets(shared);
        }

        try (LocalKafkaBroker other = LocalKafkaBroker.startTemporary()) {
            // and another cluster whose state topic holds more records in each partition than the first one's
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, other.bootstrapServers()))) {
                new TopicProvisioner(admin, PARTITIONS, (short) 1).ensure(List.of(Topics.STATE, Topics.EVENTS));
            }
            List<ProducerRecord<String, AccountState>> records = new java.util.ArrayList<>();
            Map<Integer, String> firstOfPartition = new HashMap<>();
            reached.forEach((partition, end) -> {
                for (long i = 0; i <= end; i++) {
                    String id = UUID.randomUUID().toString();
                    firstOfPartition.putIfAbsent(partition.partition(), id);
                    records.add(new ProducerRecord<>(Topics.STATE.name(), partition.partition(), id, state(id)));
                }
            });
            publish(other.bootstrapServers(), records);

            // when: the service starts on that cluster with the same state directory and application id
            try (EmbeddedServer server = start(other.bootstrapServers(), stateDir, applicationId)) {
                // then: every partition's first account of this cluster is there, the other cluster's is not
                for (String id : firstOfPartition.values()) {
                    assertEquals(200, awaitStatus(server, id, 200), "an account of this cluster: " + id);
                }
                assertEquals(404, status(server, before), "the other cluster's account " + before);
            }
        }
    }

    private static EmbeddedServer start(String bootstrap, Path stateDir, String applicationId) throws Exception {
        EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, TestSecurity.secured(Map.of(
                "micronaut.server.port", -1,
                "kafka.bootstrap.servers", bootstrap,
                "schema-registry.url", REGISTRY_URL,
                "eventbank.streams.application-id", applicationId,
                "eventbank.streams.state-dir", stateDir.toString(),
                "eventbank.topics.partitions", PARTITIONS,
                // no projection service here: the reads below come from the view
                "eventbank.query.projection-url", "http://localhost:9")));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (get(server, "/health").statusCode() != 200) {
            if (System.nanoTime() > deadline) {
                server.close();
                throw new IllegalStateException("query service not healthy: " + get(server, "/health").body());
            }
            Thread.sleep(200);
        }
        return server;
    }

    private static Map<TopicPartition, Long> endOffsets(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            int partitions = admin.describeTopics(List.of(Topics.STATE.name())).allTopicNames().get(10, TimeUnit.SECONDS)
                    .get(Topics.STATE.name()).partitions().size();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < Math.min(partitions, PARTITIONS); p++) {
                latest.put(new TopicPartition(Topics.STATE.name(), p), OffsetSpec.latest());
            }
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
            return ends;
        }
    }

    private static void publish(String bootstrap, List<ProducerRecord<String, AccountState>> records) throws Exception {
        try (KafkaProducer<String, AccountState> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), AvroSerdes.value(AccountState.class, SchemaRegistryClients.forUrl(REGISTRY_URL)).serializer())) {
            for (ProducerRecord<String, AccountState> record : records) {
                producer.send(record);
            }
            producer.flush();
        }
    }

    private static AccountState state(String id) {
        Instant opened = Instant.parse("2025-01-01T10:00:00Z");
        return AccountState.newBuilder().setAccountId(id).setAccountNumber("NL00EVBK" + id.substring(0, 8))
                .setOwner("Ada Lovelace").setCurrency("EUR").setBalance(new BigDecimal("1.0000")).setStatus(AccountStatus.OPEN)
                .setVersion(1).setOpenedAt(opened).setUpdatedAt(opened).build();
    }

    /** The status of the account's read once it is {@code expected}, or the last one after 30 s. */
    private static int awaitStatus(EmbeddedServer server, String id, int expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int last = status(server, id);
        while (last != expected && System.nanoTime() < deadline) {
            Thread.sleep(100);
            last = status(server, id);
        }
        return last;
    }

    private static int status(EmbeddedServer server, String id) throws Exception {
        return get(server, "/accounts/" + id).statusCode();
    }

    private static HttpResponse<String> get(EmbeddedServer server, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + server.getPort() + path))
                .timeout(Duration.ofSeconds(30)).header("Authorization", TestSecurity.TELLER).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
