package dev.eventbank.schemas.catalog;

import dev.eventbank.testbroker.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopicProvisionerTest {

    @Test
    void shouldCreateTopicsWithTheirConfigsAndAcceptThemOnASecondRun() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestBroker.shared().bootstrapServers()))) {
            // given
            TopicSpec log = new TopicSpec("provisioner-log", Topics.DEFAULT_PARTITIONS, Topics.EVENTS.configs());

            // when
            new TopicProvisioner(admin, 4, (short) 1).ensure(List.of(log));
            new TopicProvisioner(admin, 4, (short) 1).ensure(List.of(log));

            // then
            assertEquals(4, admin.describeTopics(List.of("provisioner-log")).allTopicNames().get(10, TimeUnit.SECONDS)
                    .get("provisioner-log").partitions().size());
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "provisioner-log");
            Config config = admin.describeConfigs(List.of(resource)).all().get(10, TimeUnit.SECONDS).get(resource);
            assertEquals("-1", config.get("retention.ms").value());
            assertEquals("zstd", config.get("compression.type").value());
            assertEquals("delete", config.get("cleanup.policy").value());
            // the broker's min.insync.replicas applies: a topic-level 1 would let a replicated cluster acknowledge
            // an event that only its leader holds
            assertNotEquals(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, config.get("min.insync.replicas").source());
        }
    }

    @Test
    void shouldReturnOnlyOnceTheBrokerLeadsEveryPartitionItCreated() throws Exception {
        String bootstrap = TestBroker.shared().bootstrapServers();
        for (int round = 0; round < 3; round++) {
            String name = "provisioner-leaders-" + UUID.randomUUID();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
                 KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap,
                         // one try each: a write to a partition whose leader has not taken it on yet fails with
                         // NOT_LEADER_OR_FOLLOWER instead of being retried behind a WARN line
                         "retries", 0, "enable.idempotence", false, "acks", "all"),
                         new ByteArraySerializer(), new ByteArraySerializer())) {
                // when
                new TopicProvisioner(admin, 0, (short) 1).ensure(List.of(new TopicSpec(name, 12, Map.of())));

                // then: a first write to each new partition at once is taken
                List<Future<RecordMetadata>> writes = new ArrayList<>();
                for (int partition = 0; partition < 12; partition++) {
                    writes.add(producer.send(new ProducerRecord<>(name, partition, null, new byte[]{1})));
                }
                for (var write : writes) {
                    write.get(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    @Test
    void shouldRefuseToStartOnAnEventLogThatIsCompactedOrExpires() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestBroker.shared().bootstrapServers()))) {
            for (var wrong : List.of(Map.entry("cleanup.policy", "compact"), Map.entry("retention.ms", "604800000"),
                    Map.entry("retention.bytes", "1073741824"))) {
                // given an event log an operator (or an older setup) configured to lose records
                String name = "provisioner-log-" + wrong.getKey().replace('.', '-') + "-" + UUID.randomUUID();
                TopicSpec log = new TopicSpec(name, Topics.DEFAULT_PARTITIONS, Topics.EVENTS.configs(),
                        Topics.EVENTS.required());
                new TopicProvisioner(admin, 2, (short) 1).ensure(List.of(log));
                alter(admin, name, wrong.getKey(), wrong.getValue());

                // when / then
                IllegalStateException error = assertThrows(IllegalStateException.class,
                        () -> new TopicProvisioner(admin, 2, (short) 1).ensure(List.of(log)));
                assertTrue(error.getMessage().contains("has " + wrong.getKey() + "=" + wrong.getValue() + " but must have "
                        + Topics.EVENTS.configs().get(wrong.getKey())), error.getMessage());
            }
        }
    }

    @Test
    void shouldStartOnAnOperatorsChangeToAConfigThatLosesNothing() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestBroker.shared().bootstrapServers()))) {
            // given
            TopicSpec log = new TopicSpec("provisioner-log-compression-" + UUID.randomUUID(), Topics.DEFAULT_PARTITIONS,
                    Topics.EVENTS.configs(), Topics.EVENTS.required());
            new TopicProvisioner(admin, 2, (short) 1).ensure(List.of(log));
            alter(admin, log.name(), "compression.type", "lz4");

            // when / then: warned, not refused
            assertEquals(2, new TopicProvisioner(admin, 2, (short) 1).ensure(List.of(log)).get(log.name())
                    .partitions().size());
        }
    }

    @Test
    void shouldCompareCleanupPoliciesAsSets() {
        assertTrue(TopicProvisioner.sameValue("cleanup.policy", "compact,delete", "delete, compact"));
        assertFalse(TopicProvisioner.sameValue("cleanup.policy", "compact,delete", "compact"));
        assertFalse(TopicProvisioner.sameValue("retention.ms", "-1", null));
    }

    private static void alter(Admin admin, String topic, String name, String value) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(new ConfigEntry(name, value),
                AlterConfigOp.OpType.SET)))).all().get(10, TimeUnit.SECONDS);
        // the broker applies a committed change a moment later: wait until it describes it (bounded)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!value.equals(admin.describeConfigs(List.of(resource)).all().get(10, TimeUnit.SECONDS).get(resource)
                .get(name).value())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(topic + " does not show " + name + "=" + value + " after 10 s");
            }
            Thread.sleep(50);
        }
    }

    @Test
    void shouldRefuseToStartWhenAnExistingTopicHasAnotherPartitionCount() {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestBroker.shared().bootstrapServers()))) {
            // given
            TopicSpec state = new TopicSpec("provisioner-state", Topics.DEFAULT_PARTITIONS, Topics.STATE.configs());
            new TopicProvisioner(admin, 3, (short) 1).ensure(List.of(state));

            // when / then
            IllegalStateException error = assertThrows(IllegalStateException.class,
                    () -> new TopicProvisioner(admin, 6, (short) 1).ensure(List.of(state)));
            assertTrue(error.getMessage().contains("has 3 partitions but 6 are configured"), error.getMessage());
        }
    }
}
