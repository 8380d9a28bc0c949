package dev.eventbank.projection;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StaticMembershipTest {

    @TempDir
    Path stateDirs;

    @Test
    void shouldKeepTheGeneratedInstanceIdAcrossRestartsOnTheSameStateDirectory() {
        // given
        Path stateDir = stateDirs.resolve("projection");
        String first = StaticMembership.instanceId("", stateDir);

        // when
        String again = StaticMembership.instanceId(null, stateDir);

        // then
        assertEquals(first, again);
        assertTrue(Files.exists(stateDir.resolve(StaticMembership.ID_FILE)));
    }

    @Test
    void shouldGiveInstancesWithTheirOwnStateDirectoriesDistinctIds() {
        // when
        String one = StaticMembership.instanceId("", stateDirs.resolve("one"));
        String other = StaticMembership.instanceId("", stateDirs.resolve("other"));

        // then: a duplicate group.instance.id would fence the other instance
        assertNotEquals(one, other);
    }

    @Test
    void shouldUseTheConfiguredIdAndRefuseOneKafkaWouldReject() {
        assertEquals("projection-0", StaticMembership.instanceId("projection-0", stateDirs));
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> StaticMembership.instanceId("pod 0/a", stateDirs));
        assertTrue(refused.getMessage().contains("eventbank.streams.instance-id"), refused.getMessage());
    }

    @Test
    void shouldSetTheMainConsumersMembershipOnly() {
        // when
        Properties properties = StaticMembership.properties("projection-0", Duration.ofSeconds(6));

        // then: the restore and global consumers have no group, so they must not get an instance id
        assertEquals("projection-0", properties.get(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG)));
        assertEquals(6000, properties.get(StreamsConfig.mainConsumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG)));
        assertEquals(1500, properties.get(StreamsConfig.mainConsumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG)));
        assertEquals(3, properties.size());
    }
}
