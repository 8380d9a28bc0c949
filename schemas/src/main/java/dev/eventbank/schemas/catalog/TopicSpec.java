package dev.eventbank.schemas.catalog;

import java.util.Map;
import java.util.Set;

/**
 * A topic of the public contract: its name, how many partitions it is created with unless configured
 * otherwise, and the topic configs it must have.
 *
 * @param name               topic name (kebab-case)
 * @param defaultPartitions  partitions at creation; fixed afterwards, since changing it would move keys
 * @param configs            topic-level configs (cleanup policy, retention, compression)
 * @param required           those of {@code configs} whose other value on an existing topic would lose data (an event
 *                           log compacted or expired): {@link TopicProvisioner} refuses to start on it, where it only
 *                           warns about the others
 */
public record TopicSpec(String name, int defaultPartitions, Map<String, String> configs, Set<String> required) {

    public TopicSpec {
        configs = Map.copyOf(configs);
        required = Set.copyOf(required);
        if (!configs.keySet().containsAll(required)) {
            throw new IllegalArgumentException("required configs " + required + " not all in " + configs.keySet());
        }
    }

    /** A topic none of whose configs is required (see {@link #required()}). */
    public TopicSpec(String name, int defaultPartitions, Map<String, String> configs) {
        this(name, defaultPartitions, configs, Set.of());
    }

    /** The subject that holds this topic's value schemas under TopicNameStrategy. */
    public String valueSubject() {
        return name + "-value";
    }
}
