package dev.eventbank.projection.rebuild;

import dev.eventbank.schemas.serde.SchemaRegistryClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Deletes what a projection generation leaves behind once it is retired, cancelled, failed or abandoned: its local
 * state, its consumer group, its internal topics (changelogs, repartition) and their registry subjects. Each step is
 * tried whatever happened to the previous one; what could not be deleted comes back as a warning (for
 * {@code GET /admin/rebuild} and the log), never as an exception, since the generation is gone either way.
 *
 * <p>Limits: a group that still has members (another instance runs that generation) is kept, with its topics.
 */
final class GenerationCleanup {

    private static final Logger LOG = LoggerFactory.getLogger(GenerationCleanup.class);

    private final GenerationAdmin admin;
    private final SchemaRegistryClient registry;
    private final Function<String, Set<String>> internalTopics;

    /** @param internalTopics the internal topics a generation creates, by its application id */
    GenerationCleanup(GenerationAdmin admin, SchemaRegistryClient registry, Function<String, Set<String>> internalTopics) {
        this.admin = admin;
        this.registry = registry;
        this.internalTopics = internalTopics;
    }

    /**
     * Closes a generation (leaving its group), deletes its local state, consumer group, internal topics and their
     * registry subjects; a warning if not all went, else null.
     */
    String discard(ProjectionGeneration generation) {
        List<String> problems = new ArrayList<>();
        try {
            generation.streams().stopAndLeaveGroup();
        } catch (RuntimeException e) {
            problems.add("close: " + e.getMessage());
        }
        // the whole directory goes, not through Kafka Streams' cleanUp: that deletes the task directories but leaves
        // the app directory's lock and metadata files, and logs a WARN for each ("Failed to delete state store
        // directory ... not empty") before this deletes them anyway; generation 0 shares its directory with the later
        // generations' g<N> directories, so only its own app directory goes
        deleteDirectory(generation.number() > 0 ? generation.stateDir()
                : generation.stateDir().resolve(generation.applicationId()), problems);
        return deleteGroupAndTopics(generation.applicationId(), problems);
    }

    /**
     * Deletes what a generation abandoned by a restart left (its state directory {@code stateDir}, group, topics,
     * subjects), unless another instance still runs it.
     *
     * @return whether it was deleted (false: still running elsewhere)
     */
    boolean abandoned(String applicationId, Path stateDir) throws Exception {
        if (admin.members(applicationId) > 0) {
            return false;
        }
        List<String> problems = new ArrayList<>();
        deleteDirectory(stateDir, problems);
        deleteGroupAndTopics(applicationId, problems);
        return true;
    }

    private String deleteGroupAndTopics(String applicationId, List<String> problems) {
        // the group may need a moment to see the leave
        for (int attempt = 1; ; attempt++) {
            try {
                Set<String> internal = internalTopics.apply(applicationId);
                List<String> deleted = admin.deleteGeneration(applicationId, internal);
                List<String> subjects = deleteSubjects(internal, problems);
                LOG.info("generation deleted applicationId={} topics={} subjects={}", applicationId, deleted, subjects);
                break;
            } catch (IllegalStateException e) {
                if (attempt >= 5) {
                    problems.add(e.getMessage());
                    break;
                }
                sleep(Duration.ofSeconds(1));
            } catch (Exception e) {
                problems.add("deleting group and topics of " + applicationId + ": " + e);
                break;
            }
        }
        if (problems.isEmpty()) {
            return null;
        }
        String warning = String.join("; ", problems);
        LOG.warn("generation not fully deleted applicationId={} reason=\"{}\"", applicationId, warning);
        return warning;
    }

    /**
     * Deletes the registry subjects the serdes registered for these internal topics ({@code <topic>-value} and
     * {@code <topic>-key}, TopicNameStrategy), those that exist; a failure is a problem, not an exception. Exact
     * names, never a prefix: generation N's topics are a prefix of none of N+1's ({@code <base>-<store>-changelog}
     * vs {@code <base>-g1-<store>-changelog}), but a prefix match could be.
     */
    private List<String> deleteSubjects(Set<String> internal, List<String> problems) {
        List<String> deleted = new ArrayList<>();
        try {
            Set<String> existing = Set.copyOf(registry.subjects());
            for (String topic : internal) {
                for (String subject : List.of(topic + "-value", topic + "-key")) {
                    if (existing.contains(subject)) {
                        registry.deleteSubject(subject);
                        deleted.add(subject);
                    }
                }
            }
        } catch (RuntimeException e) {
            problems.add("deleting registry subjects (deleted so far: " + deleted + "): " + e.getMessage());
        }
        return deleted;
    }

    private static void deleteDirectory(Path dir, List<String> problems) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | RuntimeException e) {
            problems.add("deleting " + dir + ": " + e);
        }
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
