package dev.eventbank.command.ownership;

import dev.eventbank.schemas.catalog.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Who owns each partition of the event log, as the group coordinator last assigned it: the members of the
 * writers' group with their assignments ({@code Admin.describeConsumerGroups}), each member's URL read from its
 * {@code client.id} ({@link #clientIdFor}). Answers from a cached copy no older than the age asked for.
 *
 * <p>Limits: the copy can be stale during a rebalance, so a caller that reaches a former owner gets "not owner"
 * and asks again with a fresh copy. The URL travels in the client id, which Kafka only uses for logs, metrics
 * and quotas; a deployment with client-id quotas must allow the prefix {@value #CLIENT_ID_PREFIX}.
 */
public final class OwnerDirectory {

    static final String CLIENT_ID_PREFIX = "command-writer@";
    private static final Logger LOG = LoggerFactory.getLogger(OwnerDirectory.class);

    private final Admin admin;
    private final String groupId;
    private Map<Integer, String> owners = Map.of();
    private boolean stable;
    private long readAt;
    /** When the broker was last asked (answered or not) and whether that failed: readiness asks at most this often. */
    private long askedAt;
    private boolean lastReadFailed;

    public OwnerDirectory(Admin admin, String groupId) {
        this.admin = admin;
        this.groupId = groupId;
    }

    /** The {@code client.id} a member at {@code endpoint} joins with. */
    public static String clientIdFor(String endpoint) {
        return CLIENT_ID_PREFIX + endpoint;
    }

    /** The URL in a member's client id, or empty for a client id not of this form. */
    static Optional<String> endpointOf(String clientId) {
        return clientId != null && clientId.startsWith(CLIENT_ID_PREFIX) && clientId.length() > CLIENT_ID_PREFIX.length()
                ? Optional.of(clientId.substring(CLIENT_ID_PREFIX.length())) : Optional.empty();
    }

    /**
     * The URL of {@code partition}'s owner, from a copy of the assignment at most {@code maxAge} old (read anew
     * when older; that blocks for a round trip to the broker, at most 3 s); empty when no member owns it.
     */
    public synchronized Optional<String> ownerOf(int partition, Duration maxAge) {
        refreshIfOlderThan(maxAge);
        return Optional.ofNullable(owners.get(partition));
    }

    /**
     * True when the group is stable (no rebalance under way), every one of the {@code partitions} partitions has an
     * owner, and the member at {@code endpoint} owns exactly {@code owned}: the assignment has settled, so a request
     * for any partition reaches a writer. From a copy at most {@code maxAge} old.
     */
    public synchronized boolean isSettled(String endpoint, java.util.Set<Integer> owned, int partitions, Duration maxAge) {
        refreshIfOlderThan(maxAge);
        if (!stable || owners.size() != partitions) {
            return false;
        }
        java.util.Set<Integer> listed = new java.util.HashSet<>();
        owners.forEach((partition, owner) -> {
            if (owner.equals(endpoint)) {
                listed.add(partition);
            }
        });
        return listed.equals(owned);
    }

    /**
     * Whether the broker answered the last read of the group, made at most {@code maxAge} ago (read anew when
     * older, answered or not; that blocks for a round trip to the broker, at most 3 s). False while the broker
     * cannot be reached or does not answer (stopped, frozen, partitioned away): then no command can commit.
     */
    public synchronized boolean isBrokerReachable(Duration maxAge) {
        if (askedAt == 0 || System.nanoTime() - askedAt > maxAge.toNanos()) {
            refresh();
        }
        return !lastReadFailed;
    }

    private void refreshIfOlderThan(Duration maxAge) {
        if (System.nanoTime() - readAt > maxAge.toNanos()) {
            refresh();
        }
    }

    private void refresh() {
        try {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(groupId)).describedGroups()
                    .get(groupId).get(3, TimeUnit.SECONDS);
            Map<Integer, String> read = new HashMap<>();
            for (MemberDescription member : group.members()) {
                Optional<String> endpoint = endpointOf(member.clientId());
                if (endpoint.isEmpty()) {
                    continue;
                }
                for (TopicPartition tp : member.assignment().topicPartitions()) {
                    if (tp.topic().equals(Topics.EVENTS.name())) {
                        read.put(tp.partition(), endpoint.get());
                    }
                }
            }
            owners = Map.copyOf(read);
            stable = group.groupState() == org.apache.kafka.common.GroupState.STABLE;
            readAt = System.nanoTime();
            if (lastReadFailed) {
                LOG.info("owner lookup recovered group={}", groupId);
            }
            lastReadFailed = false;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            // one line when lookups start failing, not one per health probe for as long as the broker is away
            if (!lastReadFailed) {
                LOG.warn("owner lookup failed group={} error=\"{}\"", groupId, e.toString());
            }
            lastReadFailed = true;
        } finally {
            askedAt = System.nanoTime();
        }
    }
}
