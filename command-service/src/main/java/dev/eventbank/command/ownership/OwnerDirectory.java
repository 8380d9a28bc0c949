package dev.eventbank.command.ownership;

import dev.eventbank.schemas.catalog.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Who owns each partition of the event log, as the group coordinator last assigned it: the members of the
 * writers' group with their assignments ({@code Admin.describeConsumerGroups}), each member's URL read from its
 * {@code client.id} ({@link #clientIdFor}).
 *
 * <p>Two kinds of caller, kept apart so that neither waits for the other:
 * <ul>
 *   <li>forwarding ({@link #ownerOf}) needs a fresh owner: when the newest answer is too old it reads the group and
 *       waits for the broker, one forwarder at a time (the others then take that answer);</li>
 *   <li>readiness ({@link #isSettled}, {@link #isBrokerReachable}) runs on the HTTP server's event loop and never
 *       waits: it answers from the newest read that has ended and, when the newest read started longer ago than the
 *       age asked for and none of its own is in flight, starts one that ends on the admin client's thread.</li>
 * </ul>
 * Both take the same answers, in a few fields behind a lock that is held only to read or swap them, never across a
 * round trip to the broker. A read with no answer after {@value #READ_TIMEOUT_MS} ms counts as failed (the broker
 * does not answer); the first failure logs one warning line, the first answer after failures one info line.
 *
 * <p>Limits: the answer can be stale during a rebalance, so a caller that reaches a former owner gets "not owner"
 * and asks again with a fresher one. The URL travels in the client id, which Kafka only uses for logs, metrics
 * and quotas; a deployment with client-id quotas must allow the prefix {@value #CLIENT_ID_PREFIX}.
 */
public final class OwnerDirectory {

    static final String CLIENT_ID_PREFIX = "command-writer@";
    /** How long a read of the group may take: one with no answer by then counts as failed. */
    static final long READ_TIMEOUT_MS = 3000;
    private static final long READ_TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(READ_TIMEOUT_MS);
    private static final Logger LOG = LoggerFactory.getLogger(OwnerDirectory.class);

    /** One answer of the broker: who owns which partition, whether the group was stable, when its read started. */
    private record Assignment(Map<Integer, String> owners, boolean stable, long askedAt) {
    }

    private final Admin admin;
    private final String groupId;
    /** Times are {@link #now()}: nanoseconds since this directory was made, plus one, so that 0 means never. */
    private final long born = System.nanoTime();
    /** Held by {@link #ownerOf} across its read, so that one read serves the forwarders waiting; readiness never takes it. */
    private final Object forwarding = new Object();
    /** Guards the fields below; held only to read or swap them, never across a round trip to the broker. */
    private final Object lock = new Object();
    private Assignment newest = new Assignment(Map.of(), false, 0);
    /** When the newest read (forwarding's or readiness's, answered or not) started. */
    private long askedAt;
    /** When readiness's read in flight started; 0 when none is. */
    private long backgroundReadAt;
    /** Whether the newest read that ended was answered (null before any ended), and when that read started. */
    private Boolean answered;
    private long answeredAskedAt;

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
     * The URL of {@code partition}'s owner, from an answer at most {@code maxAge} old: when the newest is older this
     * reads the group and waits for the broker (at most {@value #READ_TIMEOUT_MS} ms; after a failed read, the
     * newest answer there is). Empty when no member owns it. For forwarding, not for health checks.
     */
    public Optional<String> ownerOf(int partition, Duration maxAge) {
        synchronized (forwarding) {
            if (olderThan(assignment().askedAt(), maxAge)) {
                readAndWait();
            }
        }
        return Optional.ofNullable(assignment().owners().get(partition));
    }

    /**
     * True when the group is stable (no rebalance under way), every one of the {@code partitions} partitions has an
     * owner, and the member at {@code endpoint} owns exactly {@code owned}: the assignment has settled, so a request
     * for any partition reaches a writer. Answers at once, from the newest answer (false before the first); starts a
     * read in the background when the newest read started more than {@code maxAge} ago.
     */
    public boolean isSettled(String endpoint, Set<Integer> owned, int partitions, Duration maxAge) {
        readInBackgroundIfOlderThan(maxAge);
        Assignment read = assignment();
        if (!read.stable() || read.owners().size() != partitions) {
            return false;
        }
        Set<Integer> listed = new HashSet<>();
        read.owners().forEach((partition, owner) -> {
            if (owner.equals(endpoint)) {
                listed.add(partition);
            }
        });
        return listed.equals(owned);
    }

    /**
     * Whether the broker answered the newest read of the group that has ended (false before the first has; a read
     * still in flight after {@value #READ_TIMEOUT_MS} ms counts as failed). False while the broker cannot be reached or
     * does not answer (stopped, frozen, partitioned away): then no command can commit. Answers at once; starts a
     * read in the background when the newest read started more than {@code maxAge} ago.
     */
    public boolean isBrokerReachable(Duration maxAge) {
        readInBackgroundIfOlderThan(maxAge);
        synchronized (lock) {
            return Boolean.TRUE.equals(answered);
        }
    }

    /** Whether a read started by a health check has neither ended nor been given up (for tests). */
    boolean isReadingInBackground() {
        synchronized (lock) {
            return backgroundReadAt != 0;
        }
    }

    private void readInBackgroundIfOlderThan(Duration maxAge) {
        long now = now();
        long givenUp = 0;
        synchronized (lock) {
            if (backgroundReadAt != 0 && now - backgroundReadAt > READ_TIMEOUT_NANOS) {
                givenUp = backgroundReadAt;
            }
        }
        if (givenUp != 0) {
            // as a wait that timed out would: failed, and the slot free for the next read
            ended(givenUp, null, new TimeoutException("no answer within " + READ_TIMEOUT_MS + " ms"));
        }
        synchronized (lock) {
            if (backgroundReadAt != 0 || askedAt != 0 && now - askedAt <= maxAge.toNanos()) {
                return;
            }
            backgroundReadAt = now;
            askedAt = now;
        }
        try {
            describe().whenComplete((group, error) -> ended(now, group, error));
        } catch (RuntimeException e) {
            ended(now, null, e);
        }
    }

    private void readAndWait() {
        long startedAt = now();
        synchronized (lock) {
            askedAt = Math.max(askedAt, startedAt);
        }
        try {
            ended(startedAt, describe().get(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS), null);
        } catch (ExecutionException e) {
            ended(startedAt, null, e.getCause());
        } catch (TimeoutException | RuntimeException e) {
            ended(startedAt, null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ended(startedAt, null, e);
        }
    }

    private KafkaFuture<ConsumerGroupDescription> describe() {
        // the admin gives up by itself too, so that no read outlives the time it counts for
        return admin.describeConsumerGroups(List.of(groupId), new DescribeConsumerGroupsOptions().timeoutMs((int) READ_TIMEOUT_MS))
                .describedGroups().get(groupId);
    }

    /**
     * Takes the end of the read started at {@code startedAt}: {@code group} when answered in time, else failed.
     * A read that ends after a newer one has ended changes nothing.
     */
    private void ended(long startedAt, ConsumerGroupDescription group, Throwable error) {
        // a group that does not exist yet (the first instance of a new cluster, before its first join completes)
        // is an answer: nobody owns anything yet. Not a failed lookup, which means the broker is away
        boolean noGroupYet = group == null && (error instanceof GroupIdNotFoundException
                || error != null && error.getCause() instanceof GroupIdNotFoundException);
        boolean inTime = (group != null || noGroupYet) && now() - startedAt <= READ_TIMEOUT_NANOS;
        Assignment read = !inTime ? null
                : noGroupYet ? new Assignment(Map.of(), false, startedAt) : assignmentOf(group, startedAt);
        Boolean before;
        synchronized (lock) {
            if (backgroundReadAt == startedAt) {
                backgroundReadAt = 0;
            }
            if (startedAt < answeredAskedAt) {
                return;
            }
            before = answered;
            answered = inTime;
            answeredAskedAt = startedAt;
            if (inTime && startedAt > newest.askedAt()) {
                newest = read;
            }
        }
        // one line when lookups start failing, not one per health probe for as long as the broker is away
        if (inTime && Boolean.FALSE.equals(before)) {
            LOG.info("owner lookup recovered group={}", groupId);
        } else if (!inTime && !Boolean.FALSE.equals(before)) {
            LOG.warn("owner lookup failed group={} error=\"{}\"", groupId,
                    error != null ? error.toString() : "answered after more than " + READ_TIMEOUT_MS + " ms");
        }
    }

    private static Assignment assignmentOf(ConsumerGroupDescription group, long askedAt) {
        Map<Integer, String> owners = new HashMap<>();
        for (MemberDescription member : group.members()) {
            Optional<String> endpoint = endpointOf(member.clientId());
            if (endpoint.isEmpty()) {
                continue;
            }
            for (TopicPartition tp : member.assignment().topicPartitions()) {
                if (tp.topic().equals(Topics.EVENTS.name())) {
                    owners.put(tp.partition(), endpoint.get());
                }
            }
        }
        return new Assignment(Map.copyOf(owners), group.groupState() == GroupState.STABLE, askedAt);
    }

    private Assignment assignment() {
        synchronized (lock) {
            return newest;
        }
    }

    private boolean olderThan(long at, Duration maxAge) {
        return at == 0 || now() - at > maxAge.toNanos();
    }

    private long now() {
        return System.nanoTime() - born + 1;
    }
}
