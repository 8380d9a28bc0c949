package dev.eventbank.schemas.catalog;

import dev.eventbank.testbroker.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
