package dev.eventbank.projection.pipeline;

import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A re-publish request reaches every task once, whichever instance of the task runs when it is checked. */
class PublishingRepublishTest {

    @TempDir
    Path stateDir;

    private final Publishing gate = Publishing.gated();

    @Test
    void shouldRunThePassInATaskRecreatedAfterTheRequestAndOnlyOnce() {
        // given: task 0_1 started while gated, the gate opened with a re-publish request
        List<String> passes = new ArrayList<>();
        MockProcessorContext<Object, Object> first = context(new TaskId(0, 1));
        gate.onRepublishRequest(first, "event-fold", now -> passes.add("first"));
        gate.enable(true);

        // when: the task is re-created (a rebalance) before its first check, and the new one checks twice
        MockProcessorContext<Object, Object> second = context(new TaskId(0, 1));
        gate.onRepublishRequest(second, "event-fold", now -> passes.add("second"));
        check(second);
        check(second);
        check(first);

        // then: one pass, by the task that ran
        assertEquals(List.of("second"), passes);
    }

    @Test
    void shouldRunThePassOncePerTaskAndProcessorForEachRequest() {
        // given: two tasks, and a second processor in one of them
        List<String> passes = new ArrayList<>();
        MockProcessorContext<Object, Object> a = context(new TaskId(0, 0));
        MockProcessorContext<Object, Object> b = context(new TaskId(0, 1));
        gate.onRepublishRequest(a, "event-fold", now -> passes.add("a"));
        gate.onRepublishRequest(a, "bank-totals", now -> passes.add("a-totals"));
        gate.onRepublishRequest(b, "event-fold", now -> passes.add("b"));

        // when: checked before any request, after one (twice), and after the gate closed and reopened without one
        check(a);
        check(b);
        gate.enable(true);
        check(a);
        check(b);
        check(a);
        gate.disable();
        gate.enable(false);
        check(b);

        // then
        assertEquals(List.of("a", "a-totals", "b"), passes);
    }

    @Test
    void shouldRunAPassThatThrewAgainInTheTasksNextInstance() {
        // given: a task whose pass throws (its task migrated while it forwarded)
        MockProcessorContext<Object, Object> first = context(new TaskId(1, 0));
        gate.onRepublishRequest(first, "bank-totals", now -> {
            throw new IllegalStateException("task migrated");
        });
        gate.enable(true);
        assertThrows(IllegalStateException.class, () -> check(first));

        // when: the task's next instance checks
        List<String> passes = new ArrayList<>();
        MockProcessorContext<Object, Object> second = context(new TaskId(1, 0));
        gate.onRepublishRequest(second, "bank-totals", now -> passes.add("second"));
        check(second);

        // then
        assertEquals(List.of("second"), passes);
    }

    private MockProcessorContext<Object, Object> context(TaskId task) {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "republish-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9");
        return new MockProcessorContext<>(config, task, stateDir.toFile());
    }

    private static void check(MockProcessorContext<Object, Object> context) {
        context.scheduledPunctuators().forEach(p -> p.getPunctuator().punctuate(System.currentTimeMillis()));
    }
}
