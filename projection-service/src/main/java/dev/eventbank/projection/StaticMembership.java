package dev.eventbank.projection;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * How the projection's stream threads hold their place in their consumer group, so that a restarted or crashed
 * instance serves current reads again within seconds instead of waiting for its old member to time out.
 *
 * <ul>
 *   <li><b>Static membership</b> (KIP-345, {@code group.instance.id}): the instance joins under the same id every
 *       time, so the group coordinator hands a restarted instance its old member's assignment at once, even when
 *       the old member never said goodbye (a SIGKILL, or a broker that stopped together with it, as a Ctrl-C of
 *       {@code bin/local-stack} does). Kafka Streams appends {@code -<thread index>} per stream thread. A clean
 *       stop still leaves the group ({@code ManagedStreams#stopAndLeaveGroup}), so the other instances take the
 *       partitions over without waiting.</li>
 *   <li><b>Session timeout</b> of 6 s instead of Kafka's 45 s default (the broker's smallest allowed by default,
 *       {@code group.min.session.timeout.ms}), heartbeats every quarter of it, as the command service's writers'
 *       group: a crashed instance that does not come back loses its partitions to the others after 6 s.</li>
 * </ul>
 *
 * <p>The instance id is the configured one, or else a random one kept in {@code instance-id} in the state directory,
 * so it survives restarts on the same state and differs between instances (each needs its own state directory).
 * Every generation of a rebuild is its own group, so they all use the same id.
 *
 * <p>Limits: two live instances with the same id fence each other in turn ({@code FencedInstanceIdException}, the
 * stream thread is replaced and fences the other), so never copy a state directory to a second instance or give
 * two instances one configured id. Without a persistent state directory (a new one at every start) the id is new
 * at every start too: set it explicitly (e.g. a StatefulSet pod's name) to keep the benefit.
 */
final class StaticMembership {

    /** The file in the state directory that keeps a generated instance id across restarts. */
    static final String ID_FILE = "instance-id";
    /** What Kafka accepts as a {@code group.instance.id}; the thread index suffix needs room. */
    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,200}");

    private StaticMembership() {
    }

    /**
     * @param configured {@code eventbank.streams.instance-id}; blank = generated once and kept in {@code stateDir}
     * @param stateDir   the configured Kafka Streams state directory (created if missing)
     * @return the instance id this process joins its projection groups with
     * @throws IllegalArgumentException if {@code configured} is not a legal group instance id
     * @throws UncheckedIOException     if the id file cannot be read or written
     */
    static String instanceId(String configured, Path stateDir) {
        if (configured != null && !configured.isBlank()) {
            if (!LEGAL.matcher(configured).matches()) {
                throw new IllegalArgumentException("eventbank.streams.instance-id must be 1 to 200 of a-z, A-Z, "
                        + "0-9, '.', '_', '-': " + configured);
            }
            return configured;
        }
        Path file = stateDir.resolve(ID_FILE);
        try {
            if (Files.exists(file)) {
                String kept = Files.readString(file, StandardCharsets.US_ASCII).trim();
                if (LEGAL.matcher(kept).matches()) {
                    return kept;
                }
            }
            String generated = "projection-" + UUID.randomUUID();
            Files.createDirectories(stateDir);
            Path temporary = Files.createTempFile(stateDir, ID_FILE, ".tmp");
            Files.writeString(temporary, generated + "\n", StandardCharsets.US_ASCII);
            // atomic, so a crash while writing never leaves a half id that the next start would replace
            Files.move(temporary, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return generated;
        } catch (IOException e) {
            throw new UncheckedIOException("could not keep the projection's instance id in " + file, e);
        }
    }

    /**
     * The Kafka Streams properties for the main consumers' group membership.
     *
     * @param instanceId     from {@link #instanceId}
     * @param sessionTimeout how long the group waits for a silent member; at least 6 s on a default broker
     */
    static Properties properties(String instanceId, Duration sessionTimeout) {
        Properties properties = new Properties();
        properties.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), instanceId);
        properties.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG),
                (int) sessionTimeout.toMillis());
        properties.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG),
                (int) Math.max(sessionTimeout.toMillis() / 4, 500));
        return properties;
    }
}
