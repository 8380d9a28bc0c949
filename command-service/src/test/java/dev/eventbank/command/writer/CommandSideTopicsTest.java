package dev.eventbank.command.writer;

import dev.eventbank.schemas.catalog.TopicSpec;
import dev.eventbank.schemas.catalog.Topics;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command side's topics read from one description of the cluster ({@link CommandSideTopics#of}). */
class CommandSideTopicsTest {

    private static final Node BROKER = new Node(1, "localhost", 9092);

    @Test
    void shouldTakeEveryTopicsIdAndTheirCommonPartitionCount() {
        Map<String, TopicDescription> descriptions = new HashMap<>();
        Map<String, Uuid> ids = new HashMap<>();
        for (TopicSpec spec : Topics.COMMAND_SIDE) {
            Uuid id = Uuid.randomUuid();
            ids.put(spec.name(), id);
            descriptions.put(spec.name(), description(spec.name(), id, 6));
        }

        CommandSideTopics topics = CommandSideTopics.of(descriptions);

        assertEquals(ids, topics.ids());
        assertEquals(6, topics.partitions());
    }

    @Test
    void shouldRefuseTopicsWithDifferentPartitionCountsNamingThem() {
        Map<String, TopicDescription> descriptions = new HashMap<>();
        for (TopicSpec spec : Topics.COMMAND_SIDE) {
            int partitions = spec.name().equals(Topics.EVENTS.name()) ? 12 : 6;
            descriptions.put(spec.name(), description(spec.name(), Uuid.randomUuid(), partitions));
        }

        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> CommandSideTopics.of(descriptions));

        assertTrue(refused.getMessage().contains(Topics.EVENTS.name() + "=12"), refused.getMessage());
    }

    @Test
    void shouldRefuseADescriptionWithoutOneOfTheTopics() {
        Map<String, TopicDescription> descriptions = Map.of(Topics.EVENTS.name(),
                description(Topics.EVENTS.name(), Uuid.randomUuid(), 3));

        assertThrows(IllegalStateException.class, () -> CommandSideTopics.of(descriptions));
    }

    private static TopicDescription description(String name, Uuid id, int partitions) {
        List<TopicPartitionInfo> infos = IntStream.range(0, partitions)
                .mapToObj(p -> new TopicPartitionInfo(p, BROKER, List.of(BROKER), List.of(BROKER))).toList();
        return new TopicDescription(name, false, infos, java.util.Set.of(), id);
    }
}
