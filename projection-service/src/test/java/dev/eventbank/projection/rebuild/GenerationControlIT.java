package dev.eventbank.projection.rebuild;

import dev.eventbank.testbroker.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The record of the active generation on the real broker, with the switch's writes made to fail (a producer
 * interceptor makes the chosen record too large for the producer, which refuses it without sending it): the write of
 * the active generation alone decides the switch, and is tried twice.
 */
class GenerationControlIT {

    private static final String FAILING_KEY = "eventbank.test.failing-key";
    private static final String FAILURES = "eventbank.test.failures";

    private static Map<String, Object> connection;

    @BeforeAll
    static void topic() throws Exception {
        connection = Map.of("bootstrap.servers", TestBroker.shared().bootstrapServers());
        try (Admin admin = Admin.create(connection)) {
            admin.createTopics(List.of(new NewTopic(GenerationControl.TOPIC_NAME, 1, (short) 1)
                    .configs(GenerationControl.TOPIC.configs()))).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }

    @Test
    void shouldKeepTheRebuildRecordAtTheSwitchUntilItIsEnded() {
        // given: generation 3 being built
        String base = "control-it-" + UUID.randomUUID();
        try (GenerationControl control = new GenerationControl(connection, base)) {
            control.rebuilding(3);

            // when: the switch
            control.activate(3);
        }

        // then: generation 3 is active, and the rebuild record left until its re-publish is committed does not read as
        // an abandoned rebuild (which the next start would delete: the active generation)
        try (GenerationControl control = new GenerationControl(connection, base)) {
            GenerationControl.State state = control.read();
            assertEquals(3, state.active());
            assertEquals(3L, state.rebuilding());
            assertFalse(state.rebuildAbandoned());

            // and once ended, it is gone
            control.rebuildEnded();
        }
        try (GenerationControl control = new GenerationControl(connection, base)) {
            assertEquals(null, control.read().rebuilding());
        }
    }

    @Test
    void shouldSayTheOutcomeIsUnknownWhenTheActiveGenerationCannotBeRecorded() {
        // given: generation 2 active, generation 4 being built
        String base = "control-it-" + UUID.randomUUID();
        try (GenerationControl control = new GenerationControl(connection, base)) {
            control.rebuilding(2);
            control.activate(2);
            control.rebuilding(4);
        }

        // when: the switch, whose writes of the active generation fail
        try (GenerationControl control = new GenerationControl(connection, base, failing(base, 2))) {
            assertThrows(GenerationControl.ActivationUnknownException.class, () -> control.activate(4));
        }

        // then: generation 2 stays active and 4 reads as abandoned (the next start deletes it)
        try (GenerationControl control = new GenerationControl(connection, base)) {
            GenerationControl.State state = control.read();
            assertEquals(2, state.active());
            assertTrue(state.rebuildAbandoned());
        }
    }

    @Test
    void shouldRecordTheSwitchAtTheSecondAttempt() {
        // given: generation 5 being built
        String base = "control-it-" + UUID.randomUUID();
        try (GenerationControl control = new GenerationControl(connection, base)) {
            control.rebuilding(5);
        }

        // when: the switch, whose first write of the active generation fails
        try (GenerationControl control = new GenerationControl(connection, base, failing(base, 1))) {
            control.activate(5);
        }

        // then
        try (GenerationControl control = new GenerationControl(connection, base)) {
            GenerationControl.State state = control.read();
            assertEquals(5, state.active());
            assertFalse(state.rebuildAbandoned());
        }
    }

    private static Map<String, Object> failing(String key, int times) {
        return Map.of("interceptor.classes", OversizedRecord.class.getName(), FAILING_KEY, key, FAILURES, times);
    }

    /**
     * Makes the records with the configured key, the first {@code times} of them, larger than the producer sends
     * ({@code max.request.size}), so that their send fails; counted across producers, as a failed write closes its
     * producer and the next write makes another.
     */
    public static final class OversizedRecord implements ProducerInterceptor<String, String> {

        private static final Map<String, AtomicInteger> FAILED = new ConcurrentHashMap<>();

        private String key;
        private int times;

        @Override
        public ProducerRecord<String, String> onSend(ProducerRecord<String, String> record) {
            if (!key.equals(record.key()) || FAILED.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet() > times) {
                return record;
            }
            return new ProducerRecord<>(record.topic(), record.partition(), record.key(), "x".repeat(2 * 1024 * 1024));
        }

        @Override
        public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
        }

        @Override
        public void close() {
        }

        @Override
        public void configure(Map<String, ?> configs) {
            key = String.valueOf(configs.get(FAILING_KEY));
            times = Integer.parseInt(String.valueOf(configs.get(FAILURES)));
        }
    }
}
