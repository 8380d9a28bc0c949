package dev.eventbank.support.streams;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The state directory of a cluster inside the configured one. */
class ClusterStateDirectoryTest {

    @Test
    void shouldGiveEachClusterItsOwnDirectoryInTheConfiguredOne() {
        Path configured = Path.of("/var/lib/query");

        assertEquals(Path.of("/var/lib/query/cluster-bfTb9SlhTEy9Tl1lBWJTlA"),
                ClusterStateDirectory.of(configured, "bfTb9SlhTEy9Tl1lBWJTlA"));
        assertNotEquals(ClusterStateDirectory.of(configured, "bfTb9SlhTEy9Tl1lBWJTlA"),
                ClusterStateDirectory.of(configured, "XS0whPUNRO24JojjVzlJbA"));
    }

    @Test
    void shouldRefuseAnIdThatIsNoDirectoryName() {
        for (String id : new String[]{null, "", "../x", "a/b", "x".repeat(65)}) {
            assertThrows(IllegalArgumentException.class, () -> ClusterStateDirectory.of(Path.of("/s"), id), String.valueOf(id));
        }
    }
}
