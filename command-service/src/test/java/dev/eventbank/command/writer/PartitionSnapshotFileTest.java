package dev.eventbank.command.writer;

import dev.eventbank.schemas.commands.AccountAggregate;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static dev.eventbank.command.writer.AvroFixtures.event;
import static dev.eventbank.command.writer.AvroFixtures.opened;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The local checkpoint file of a partition: what is saved loads back, and a file is ignored (the state left empty)
 * when it was written for other topics than the cluster's (recreated, or another cluster's) or when its positions are
 * past the topics' ends. The real-broker case (another cluster whose offsets reached the file's) is in
 * {@link PartitionWriterIT}.
 */
class PartitionSnapshotFileTest {

    private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");
    private static final Duration WINDOW = Duration.ofHours(24);
    private static final Map<String, Uuid> TOPICS = Map.of(
            "bank-account-events", Uuid.randomUuid(), "bank-account-aggregates", Uuid.randomUuid(),
            "bank-account-command-outcomes", Uuid.randomUuid(), "bank-account-number-reservations", Uuid.randomUuid());

    @TempDir
    Path dir;

    @Test
    void shouldLoadWhatWasSavedForTheSameTopics() {
        Path file = saved(TOPICS);

        PartitionState loaded = new PartitionState(3);
        assertTrue(PartitionSnapshotFile.load(file, loaded, Map.copyOf(TOPICS), 10, 10, 10, NOW, WINDOW));

        assertEquals(1, loaded.aggregates.size());
        assertEquals(1, loaded.aggregates.get("a-1").getVersion());
        assertEquals(7, loaded.eventsCheckpoint);
        assertEquals(5, loaded.aggregatesPosition);
        assertEquals(2, loaded.outcomesPosition);
        assertEquals(1, loaded.reservationsPosition);
    }

    @Test
    void shouldIgnoreAFileWrittenForATopicOfTheSameNameWithAnotherId() {
        Path file = saved(TOPICS);
        for (String topic : TOPICS.keySet()) {
            Map<String, Uuid> recreated = new java.util.HashMap<>(TOPICS);
            recreated.put(topic, Uuid.randomUuid());

            PartitionState loaded = new PartitionState(3);
            assertFalse(PartitionSnapshotFile.load(file, loaded, recreated, 10, 10, 10, NOW, WINDOW), topic);

            assertTrue(loaded.aggregates.isEmpty(), topic);
            assertEquals(0, loaded.aggregatesPosition, topic);
            assertEquals(0, loaded.eventsCheckpoint, topic);
        }
    }

    @Test
    void shouldIgnoreAFileWhosePositionsArePastTheTopicsEnds() {
        Path file = saved(TOPICS);

        PartitionState loaded = new PartitionState(3);
        assertFalse(PartitionSnapshotFile.load(file, loaded, TOPICS, 4, 10, 10, NOW, WINDOW));

        assertTrue(loaded.aggregates.isEmpty());
        assertEquals(0, loaded.aggregatesPosition);
    }

    @Test
    void shouldIgnoreAFileOfTheFormerFormatWithoutTopicIds() throws Exception {
        Path file = PartitionSnapshotFile.path(dir, "writers", 3);
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(Files.newOutputStream(file))) {
            out.writeInt(2);
            out.writeLong(7);
            out.writeLong(5);
            out.writeLong(2);
            out.writeLong(1);
            out.writeInt(0);
            out.writeInt(0);
            out.writeInt(0);
        }

        PartitionState loaded = new PartitionState(3);
        assertFalse(PartitionSnapshotFile.load(file, loaded, TOPICS, 10, 10, 10, NOW, WINDOW));
        assertEquals(0, loaded.aggregatesPosition);
    }

    /** A partition state with one account, saved for {@code topics}. */
    private Path saved(Map<String, Uuid> topics) {
        PartitionState state = new PartitionState(3);
        AccountAggregate aggregate = EventFold.apply(null, event("a-1", 1, opened("EUR", "10")));
        state.aggregates.put("a-1", aggregate);
        state.eventsCheckpoint = 7;
        state.aggregatesPosition = 5;
        state.outcomesPosition = 2;
        state.reservationsPosition = 1;
        Path file = PartitionSnapshotFile.path(dir, "writers", 3);
        PartitionSnapshotFile.save(file, state, topics);
        assertTrue(Files.isRegularFile(file));
        return file;
    }
}
