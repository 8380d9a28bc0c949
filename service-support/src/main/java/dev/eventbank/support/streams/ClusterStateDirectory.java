package dev.eventbank.support.streams;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * A Kafka Streams state directory per Kafka cluster: the configured directory holds one subdirectory per cluster id
 * ({@code <state-dir>/cluster-<id>}), and a service gives Kafka Streams the one of the cluster it talks to (its id
 * from {@link dev.eventbank.support.kafka.BrokerWait#clusterId}).
 *
 * <p>Why: Kafka Streams restores a store from the offsets in its checkpoint file onwards, and nothing in that file
 * says which cluster the offsets belong to. A service started against another cluster (a second environment on the
 * same host with the default {@code ${java.io.tmpdir}} state directory, a broker whose data was reset) whose topics
 * had reached those offsets kept the old cluster's records and skipped the new one's below them (measured in the
 * query service's {@code StateDirectoryClusterIT}, which failed before this class). A directory per cluster is never
 * emptied, so no running instance of another cluster loses its files (an earlier version emptied the directory on a
 * cluster change, which a review showed deleted the live stores of an instance of the other cluster sharing it); the
 * price is the disk of a cluster no longer used, which its owner deletes. Recreating topics inside one cluster is
 * not detected (Kafka Streams' own case: its application reset tool and {@code KafkaStreams#cleanUp}).
 *
 * <p>Our own code: Kafka Streams has no such check, and micronaut-kafka none around it.
 */
public final class ClusterStateDirectory {

    /** What a cluster id may hold to name a directory: Kafka's ids are URL-safe base64 (22 characters). */
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private ClusterStateDirectory() {
    }

    /**
     * The state directory of cluster {@code clusterId} in the configured {@code dir}: {@code dir/cluster-<id>}. Not
     * created here (Kafka Streams creates it).
     *
     * @throws IllegalArgumentException when {@code clusterId} is not a Kafka cluster id (it names a directory)
     */
    public static Path of(Path dir, String clusterId) {
        if (clusterId == null || !SAFE_ID.matcher(clusterId).matches()) {
            throw new IllegalArgumentException("not a Kafka cluster id: '" + clusterId + "'");
        }
        return dir.resolve("cluster-" + clusterId);
    }
}
