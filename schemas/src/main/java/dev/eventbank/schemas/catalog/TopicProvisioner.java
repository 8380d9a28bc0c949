package dev.eventbank.schemas.catalog;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Creates the catalogue's topics at service start, idempotently: missing topics are created with their
 * configs; existing ones are checked:
 * <ul>
 *   <li>a partition count that differs from the configured one fails the start, because keys would not land where
 *   the stores expect them;</li>
 *   <li>a config of {@link TopicSpec#required()} with another value fails it too (an event log compacted or expired
 *   loses the source of truth); another config of the catalogue with another value is logged as a warning
 *   ({@code topic config differs from the catalogue});</li>
 *   <li>a {@code min.insync.replicas} below 2 on a topic with two replicas or more is logged as a warning: a write
 *   with {@code acks=all} is then acknowledged when only the leader holds it.</li>
 * </ul>
 *
 * <p>Limits: it does not alter the configs of an existing topic (an operator's change is respected, and a fix of a
 * required config is the operator's: {@code kafka-configs --alter}), and several services racing to create the same
 * topic is fine (the loser sees TopicExists).
 */
public final class TopicProvisioner {

    private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);

    private final Admin admin;
    private final int partitions;
    private final short replicationFactor;

    /**
     * @param partitions        partitions for catalogue topics that use the default count (0 = the catalogue's)
     * @param replicationFactor replication factor for new topics
     */
    public TopicProvisioner(Admin admin, int partitions, short replicationFactor) {
        this.admin = admin;
        this.partitions = partitions;
        this.replicationFactor = replicationFactor;
    }

    /**
     * Creates those of {@code specs} that are missing and checks every one's partition count and configs; returns
     * once the broker leads every partition it created.
     *
     * @return the cluster's descriptions of {@code specs}' topics, by name (ids, partitions)
     * @throws IllegalStateException when a topic cannot be created or described within 30 s, has another
     *     partition count than configured, or another value for one of its spec's required configs
     */
    public Map<String, TopicDescription> ensure(Collection<TopicSpec> specs) {
        try {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (TopicSpec spec : specs) {
                if (!existing.contains(spec.name())) {
                    missing.add(new NewTopic(spec.name(), partitionsOf(spec), replicationFactor).configs(spec.configs()));
                }
            }
            for (var entry : admin.createTopics(missing).values().entrySet()) {
                try {
                    entry.getValue().get(30, TimeUnit.SECONDS);
                    LOG.info("topic created name={} partitions={}", entry.getKey(),
                            missing.stream().filter(t -> t.name().equals(entry.getKey())).findFirst()
                                    .map(NewTopic::numPartitions).orElse(-1));
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            Map<String, TopicDescription> descriptions = verifyPartitions(specs);
            verifyConfigs(specs, descriptions);
            awaitLeaders(missing, descriptions);
            return descriptions;
        } catch (TimeoutException e) {
            // its message is null: say what an operator checks
            throw new IllegalStateException("could not create or check topics: the broker did not answer within 30 s "
                    + "(is the bootstrap servers setting right, and the broker up and reachable from here?)", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not create or check topics: " + e.getCause(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    /**
     * Returns once the leader of every partition of the {@code created} topics answers for it. The creation's answer
     * comes before the broker that is to lead a new partition has taken it on (brokers learn it from the metadata log,
     * asynchronously), and a producer's first writes in that window fail with {@code NOT_LEADER_OR_FOLLOWER} and are
     * retried with a WARN line each: 20 in a rebuild's first pass over its new changelogs (found by trying it). A
     * {@code ListOffsets} request is answered by a partition's leader only, and the admin client retries it quietly.
     */
    private void awaitLeaders(List<NewTopic> created, Map<String, TopicDescription> descriptions)
            throws ExecutionException, InterruptedException, TimeoutException {
        Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
        for (NewTopic topic : created) {
            for (var partition : descriptions.get(topic.name()).partitions()) {
                partitions.put(new TopicPartition(topic.name(), partition.partition()), OffsetSpec.latest());
            }
        }
        if (!partitions.isEmpty()) {
            admin.listOffsets(partitions).all().get(30, TimeUnit.SECONDS);
        }
    }

    private Map<String, TopicDescription> verifyPartitions(Collection<TopicSpec> specs)
            throws ExecutionException, InterruptedException, TimeoutException {
        Map<String, TopicDescription> descriptions = describe(specs);
        for (TopicSpec spec : specs) {
            int actual = descriptions.get(spec.name()).partitions().size();
            if (actual != partitionsOf(spec)) {
                throw new IllegalStateException("topic " + spec.name() + " has " + actual
                        + " partitions but " + partitionsOf(spec) + " are configured; partition counts are fixed "
                        + "at creation, so configure " + actual + " or recreate the topic");
            }
        }
        return descriptions;
    }

    private void verifyConfigs(Collection<TopicSpec> specs, Map<String, TopicDescription> descriptions)
            throws ExecutionException, InterruptedException, TimeoutException {
        List<ConfigResource> resources = specs.stream()
                .map(spec -> new ConfigResource(ConfigResource.Type.TOPIC, spec.name())).toList();
        Map<ConfigResource, Config> configs = describeConfigs(resources);
        for (TopicSpec spec : specs) {
            Config actual = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()));
            for (Map.Entry<String, String> wanted : spec.configs().entrySet()) {
                ConfigEntry entry = actual.get(wanted.getKey());
                String value = entry == null ? null : entry.value();
                if (sameValue(wanted.getKey(), wanted.getValue(), value)) {
                    continue;
                }
                if (spec.required().contains(wanted.getKey())) {
                    throw new IllegalStateException("topic " + spec.name() + " has " + wanted.getKey() + "=" + value
                            + " but must have " + wanted.getValue() + ", or it loses records this system needs; set it"
                            + " (kafka-configs --alter --entity-type topics --entity-name " + spec.name()
                            + " --add-config " + wanted.getKey() + "=" + wanted.getValue() + ") before starting");
                }
                LOG.warn("topic config differs from the catalogue name={} config={} expected={} actual={}",
                        spec.name(), wanted.getKey(), wanted.getValue(), value);
            }
            ConfigEntry minInsync = actual.get("min.insync.replicas");
            int replicas = descriptions.get(spec.name()).partitions().stream()
                    .mapToInt(partition -> partition.replicas().size()).min().orElse(0);
            if (minInsync != null && replicas >= 2 && Integer.parseInt(minInsync.value()) < 2) {
                LOG.warn("topic acknowledges writes held by one replica only name={} replicas={} "
                        + "min.insync.replicas={} source={}", spec.name(), replicas, minInsync.value(), minInsync.source());
            }
        }
    }

    /** As {@link #describe}: a topic created a moment ago may not be known yet to the broker asked. */
    private Map<ConfigResource, Config> describeConfigs(List<ConfigResource> resources)
            throws ExecutionException, InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    /** Whether a config's value is the catalogue's; {@code cleanup.policy} is a list, compared as a set. */
    static boolean sameValue(String name, String wanted, String actual) {
        if (actual == null) {
            return false;
        }
        if (name.equals("cleanup.policy")) {
            return Set.copyOf(Arrays.asList(wanted.split("\\s*,\\s*")))
                    .equals(Set.copyOf(Arrays.asList(actual.trim().split("\\s*,\\s*"))));
        }
        return wanted.equals(actual);
    }

    /**
     * A topic that another service created a moment ago may not be in this broker's metadata yet: such a
     * description is retried for a while rather than failing the start.
     */
    private Map<String, TopicDescription> describe(Collection<TopicSpec> specs)
            throws ExecutionException, InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return admin.describeTopics(specs.stream().map(TopicSpec::name).collect(Collectors.toList()))
                        .allTopicNames().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    private int partitionsOf(TopicSpec spec) {
        boolean usesDefault = spec.defaultPartitions() == Topics.DEFAULT_PARTITIONS;
        return usesDefault && partitions > 0 ? partitions : spec.defaultPartitions();
    }
}
