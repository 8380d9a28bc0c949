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

    @Test
    void shouldRefuseAnIdempotencyWindowLongerThanTheOutcomesAreKeptSayingWhatToChange() {
        Map<String, TopicDescription> descriptions = new HashMap<>();
        for (TopicSpec spec : Topics.COMMAND_SIDE) {
            descriptions.put(spec.name(), description(spec.name(), Uuid.randomUuid(), 3));
        }
        CommandSideTopics catalogued = CommandSideTopics.of(descriptions);

        // the catalogue's 48 h: the default window (24 h) and 48 h fit, 72 h does not
        assertEquals(java.time.Duration.ofHours(48), catalogued.outcomesRetention());
        catalogued.requireWithinOutcomesRetention(java.time.Duration.ofHours(24));
        catalogued.requireWithinOutcomesRetention(java.time.Duration.ofHours(48));
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> catalogued.requireWithinOutcomesRetention(java.time.Duration.ofHours(72)));
        assertTrue(refused.getMessage().startsWith("eventbank.commands.idempotency-window is PT72H, longer than "
                + "bank-account-command-outcomes keeps its records (retention.ms 172800000, PT48H)"), refused.getMessage());
        assertTrue(refused.getMessage().endsWith("Raise the topic's retention.ms to the window or more, or shorten the window"),
                refused.getMessage());

        // a topic whose retention an operator raised, or made unlimited (-1), takes the longer window
        catalogued.withOutcomesRetention(java.time.Duration.ofDays(7).toMillis())
                .requireWithinOutcomesRetention(java.time.Duration.ofHours(72));
        catalogued.withOutcomesRetention(-1).requireWithinOutcomesRetention(java.time.Duration.ofDays(365));
    }

    private static TopicDescription description(String name, Uuid id, int partitions) {
        List<TopicPartitionInfo> infos = IntStream.range(0, partitions)
                .mapToObj(p -> new TopicPartitionInfo(p, BROKER, List.of(BROKER), List.of(BROKER))).toList();
        return new TopicDescription(name, false, infos, java.util.Set.of(), id);
    }
}
