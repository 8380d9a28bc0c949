package dev.eventbank.schemas.catalog;

import java.util.Map;

/**
 * A topic of the public contract: its name, how many partitions it is created with unless configured
 * otherwise, and the topic configs it must have.
 *
 * @param name               topic name (kebab-case)
 * @param defaultPartitions  partitions at creation; fixed afterwards, since changing it would move keys
 * @param configs            topic-level configs (cleanup policy, retention, compression)
 */
public record TopicSpec(String name, int defaultPartitions, Map<String, String> configs) {

    public TopicSpec {
        configs = Map.copyOf(configs);
    }

    /** The subject that holds this topic's value schemas under TopicNameStrategy. */
    public String valueSubject() {
        return name + "-value";
    }
}
