package dev.eventbank.schemas.catalog;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Creates the catalogue's topics at service start, idempotently: missing topics are created with their
 * configs; existing ones are checked and a partition count that differs from the configured one fails
 * the start, because keys would not land where the stores expect them.
 *
 * <p>Limits: it does not alter the configs of an existing topic (an operator's change is respected), and
 * several services racing to create the same topic is fine (the loser sees TopicExists).
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
     * Creates those of {@code specs} that are missing and checks every one's partition count.
     *
     * @return the cluster's descriptions of {@code specs}' topics, by name (ids, partitions)
     * @throws IllegalStateException when a topic cannot be created or described within 30 s, or has another
     *     partition count than configured
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
            return verifyPartitions(specs);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not create or check topics: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
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
