package dev.eventbank.support.streams;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The state directory's cluster marker, on the real file system. */
class ClusterStateDirectoryTest {

    @TempDir
    Path root;

    @Test
    void shouldCreateAndMarkAMissingDirectory() throws Exception {
        Path dir = root.resolve("a/b");

        assertFalse(ClusterStateDirectory.claim(dir, "cluster-1"));

        assertEquals("cluster-1", Files.readString(dir.resolve(ClusterStateDirectory.MARKER)).trim());
    }

    @Test
    void shouldKeepTheStateOfTheSameCluster() throws Exception {
        ClusterStateDirectory.claim(root, "cluster-1");
        Path store = Files.createDirectories(root.resolve("app/0_1/rocksdb"));
        Files.writeString(root.resolve("app/0_1/.checkpoint"), "0\n1\nt 0 42\n");

        assertFalse(ClusterStateDirectory.claim(root, "cluster-1"));

        assertTrue(Files.isDirectory(store));
        assertTrue(Files.isRegularFile(root.resolve("app/0_1/.checkpoint")));
    }

    @Test
    void shouldEmptyTheStateOfAnotherClusterAndMarkItForThisOne() throws Exception {
        ClusterStateDirectory.claim(root, "cluster-1");
        Files.createDirectories(root.resolve("app/0_1/rocksdb"));
        Files.writeString(root.resolve("app/0_1/.checkpoint"), "0\n1\nt 0 42\n");
        Files.writeString(root.resolve("instance-id"), "x");

        assertTrue(ClusterStateDirectory.claim(root, "cluster-2"));

        try (var left = Files.list(root)) {
            assertEquals(java.util.List.of(root.resolve(ClusterStateDirectory.MARKER)), left.toList());
        }
        assertEquals("cluster-2", Files.readString(root.resolve(ClusterStateDirectory.MARKER)).trim());
    }

    @Test
    void shouldKeepAndMarkADirectoryFromBeforeTheMarker() throws Exception {
        Files.writeString(root.resolve("instance-id"), "x");

        assertFalse(ClusterStateDirectory.claim(root, "cluster-1"));

        assertTrue(Files.isRegularFile(root.resolve("instance-id")));
        assertEquals("cluster-1", Files.readString(root.resolve(ClusterStateDirectory.MARKER)).trim());
    }
}
