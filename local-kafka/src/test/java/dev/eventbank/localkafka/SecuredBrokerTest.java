package dev.eventbank.localkafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The secured broker of bin/local-stack on the real Kafka: only the command service's principal writes the event log;
 * another service's principal, a principal without ACLs and a client without credentials are refused, and nothing of
 * theirs reaches the log; the reader principal reads it.
 */
class SecuredBrokerTest {

    private static final String EVENTS = "bank-account-events";
    private static Path dir;
    private static LocalKafkaBroker broker;
    private static KafkaCredentials credentials;

    @BeforeAll
    static void startSecuredBroker() throws Exception {
        dir = Files.createTempDirectory("secured-broker-");
        credentials = KafkaCredentials.inDirectory(dir.resolve("security"), KafkaPrincipals.ALL);
        broker = LocalKafkaBroker.startSecured(dir.resolve("kafka"), LocalKafkaBroker.freePort(),
                LocalKafkaBroker.freePort(), credentials);
        try (Admin admin = Admin.create(config(KafkaCredentials.ADMIN))) {
            admin.createTopics(List.of(new NewTopic(EVENTS, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            // a principal the broker knows (SCRAM credentials) but that has no ACL
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("rogue",
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), "rogue-password"))).all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
        // its passwords and the broker's log: nothing of them left in the system's temporary directory
        if (dir != null) {
            try (var paths = Files.walk(dir)) {
                for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    @Test
    void onlyTheCommandServiceWritesTheEventLogAndTheReaderReadsIt() throws Exception {
        send(config(KafkaPrincipals.COMMAND_SERVICE), "from-command-service");

        for (String refused : List.of(KafkaPrincipals.PROJECTION_SERVICE, KafkaPrincipals.QUERY_SERVICE,
                KafkaPrincipals.SCHEMA_REGISTRY, KafkaPrincipals.READER)) {
            // a principal that may write no topic at all is refused already at the idempotent producer's id
            assertInstanceOf(AuthorizationException.class, refusal(() -> send(config(refused), "from-" + refused)), refused);
        }
        Map<String, Object> rogue = scram("rogue", "rogue-password");
        assertInstanceOf(AuthorizationException.class, refusal(() -> send(rogue, "from-rogue")));

        Map<String, Object> wrongPassword = scram(KafkaPrincipals.COMMAND_SERVICE, "not-the-password");
        assertInstanceOf(SaslAuthenticationException.class, refusal(() -> send(wrongPassword, "wrong-password")));

        assertEquals(List.of("from-command-service"), readAll(config(KafkaPrincipals.READER)));
    }

    /**
     * Other teams' reader may use any consumer group but the services' own. A member of the command writers' group
     * owns event-log partitions, and the command instances forward those partitions' commands, with the callers'
     * bearer tokens, to the URL in its client id; a commit in the projection's or the query view's group moves
     * where they read on, so that events would be skipped in the read models.
     */
    @Test
    void theReaderCannotJoinOrCommitInTheServicesGroups() {
        TopicPartition partition = new TopicPartition(EVENTS, 0);
        Map<String, Object> writer = config(KafkaPrincipals.READER);
        writer.put("group.id", "bank-account-command-writers");
        writer.put("client.id", "command-writer@http://127.0.0.1:9");
        writer.put("partition.assignment.strategy", "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(writer, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(EVENTS));
            assertThrows(GroupAuthorizationException.class, () -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (consumer.assignment().isEmpty() && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200));
                }
            }, () -> "the reader joined the command writers' group and was assigned " + consumer.assignment());
        }
        for (String group : List.of("bank-account-projection", "bank-account-projection-g2-events",
                "bank-account-query-view")) {
            Map<String, Object> committer = config(KafkaPrincipals.READER);
            committer.put("group.id", group);
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(committer, new StringDeserializer(),
                    new StringDeserializer())) {
                assertThrows(GroupAuthorizationException.class,
                        () -> consumer.commitSync(Map.of(partition, new OffsetAndMetadata(1)), Duration.ofSeconds(10)),
                        "the reader committed an offset for " + group);
            }
        }
        Map<String, Object> ownGroup = config(KafkaPrincipals.READER);
        ownGroup.put("group.id", "another-team-audit");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(ownGroup, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.commitSync(Map.of(partition, new OffsetAndMetadata(1)), Duration.ofSeconds(10));
            assertEquals(1, consumer.committed(java.util.Set.of(partition), Duration.ofSeconds(10)).get(partition).offset());
        }
    }

    @Test
    void aClientWithoutCredentialsCannotEvenConnect() {
        Map<String, Object> anonymous = new HashMap<>(Map.of("bootstrap.servers", broker.bootstrapServers(),
                "max.block.ms", 3000, "delivery.timeout.ms", 3000, "request.timeout.ms", 2000));
        assertThrows(Exception.class, () -> send(anonymous, "anonymous"));
    }

    /**
     * Why the broker refused {@code send}: the first authorization or authentication error in the cause chain of what
     * it threw. The producer meets the refusal when it asks for its producer id, in the background: if that has
     * already failed, {@code send} throws at once ("error state"), else the record's future fails; both carry it.
     */
    private static Throwable refusal(org.junit.jupiter.api.function.Executable send) {
        Throwable thrown = assertThrows(Exception.class, send);
        for (Throwable cause = thrown; cause != null; cause = cause.getCause()) {
            if (cause instanceof AuthorizationException || cause instanceof SaslAuthenticationException) {
                return cause;
            }
        }
        throw new AssertionError("not refused by the broker's authentication or ACLs", thrown);
    }

    private static Map<String, Object> config(String principal) {
        return new HashMap<>(broker.clientProperties(principal));
    }

    private static Map<String, Object> scram(String user, String password) {
        Map<String, Object> config = new HashMap<>(Map.of("bootstrap.servers", broker.bootstrapServers(),
                "security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", KafkaCredentials.jaas("org.apache.kafka.common.security.scram.ScramLoginModule",
                        user, password)));
        return config;
    }

    private static void send(Map<String, Object> config, String value) throws Exception {
        Map<String, Object> producerConfig = new HashMap<>(config);
        producerConfig.putIfAbsent("max.block.ms", 10_000);
        producerConfig.putIfAbsent("delivery.timeout.ms", 10_000);
        producerConfig.putIfAbsent("request.timeout.ms", 5_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig, new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(EVENTS, 0, "account", value)).get(15, TimeUnit.SECONDS);
        }
    }

    private static List<String> readAll(Map<String, Object> config) {
        List<String> values = new ArrayList<>();
        TopicPartition partition = new TopicPartition(EVENTS, 0);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), Duration.ofSeconds(10)).get(partition);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (consumer.position(partition) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
            }
        }
        return values;
    }
}
