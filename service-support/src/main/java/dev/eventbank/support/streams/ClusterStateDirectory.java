package dev.eventbank.support.streams;

import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Ties a Kafka Streams state directory to the Kafka cluster its stores were read from: a {@value #MARKER} file names
 * the cluster's id, and a directory last used with another cluster is emptied before the app starts.
 *
 * <p>Why: Kafka Streams restores a store from the offsets in its checkpoint file onwards, and nothing in that file
 * says which cluster the offsets belong to. A service started against another cluster (a second environment on the
 * same host with the default {@code ${java.io.tmpdir}} state directory, a broker whose data was reset) whose topics
 * have reached those offsets kept the old cluster's records and skipped the new one's below them (measured before
 * this class in the query service's {@code StateDirectoryClusterIT}). A state directory only caches what the topics
 * hold, so emptying it costs a full restore, never data. Recreating topics inside one cluster is not detected (Kafka
 * Streams' own case: its application reset tool and {@code KafkaStreams#cleanUp}).
 *
 * <p>Our own code: Kafka Streams has no such check, and micronaut-kafka none around it.
 */
public final class ClusterStateDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterStateDirectory.class);

    /** The file in the state directory that names the cluster its contents were read from. */
    public static final String MARKER = "kafka-cluster-id";

    private ClusterStateDirectory() {
    }

    /**
     * The id of the cluster {@code admin} talks to.
     *
     * @throws IllegalStateException when the cluster does not answer within 30 s
     */
    public static String clusterId(Admin admin) {
        try {
            return admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not read the Kafka cluster's id: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the Kafka cluster's id", e);
        }
    }

    /**
     * Makes {@code dir} (created if missing) the state directory of cluster {@code clusterId}: empties it first when
     * its marker names another cluster. A directory without a marker (new, or from before the marker existed) keeps
     * its contents. Call before any Kafka Streams app uses the directory.
     *
     * @return true when the directory was emptied
     * @throws UncheckedIOException when the directory cannot be read, emptied or marked
     */
    public static boolean claim(Path dir, String clusterId) {
        try {
            Files.createDirectories(dir);
            Path marker = dir.resolve(MARKER);
            boolean emptied = false;
            if (Files.isRegularFile(marker)) {
                String previous = Files.readString(marker, StandardCharsets.UTF_8).trim();
                if (previous.equals(clusterId)) {
                    return false;
                }
                LOG.warn("state directory emptied: it holds another Kafka cluster's state dir=\"{}\" previousClusterId={} "
                        + "clusterId={}", dir, previous, clusterId);
                emptyDirectory(dir);
                emptied = true;
            }
            Path temporary = Files.createTempFile(dir, MARKER, ".tmp");
            Files.writeString(temporary, clusterId + "\n", StandardCharsets.UTF_8);
            Files.move(temporary, marker, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return emptied;
        } catch (IOException e) {
            throw new UncheckedIOException("could not claim the state directory " + dir + " for cluster " + clusterId, e);
        }
    }

    private static void emptyDirectory(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path visited, IOException failure) throws IOException {
                if (failure != null) {
                    throw failure;
                }
                if (!visited.equals(dir)) {
                    Files.delete(visited);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
