package dev.eventbank.query;

import dev.eventbank.support.kafka.KafkaClients;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The fresh fold's consumer settings: the ones its correctness rests on cannot be configured away. */
class FreshFoldConsumerTest {

    @Test
    void shouldReadCommittedEventsOnlyWithNoGroupWhateverTheConfigurationSays() {
        // given: kafka.* asking for everything the fold must not do
        KafkaClients kafka = KafkaClients.of(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted",
                ConsumerConfig.GROUP_ID_CONFIG, "someone-elses-group",
                ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "instance-1",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "true"));

        // when
        Map<String, Object> settings = QueryFactory.freshFoldConsumer(kafka);

        // then
        assertEquals("read_committed", settings.get(ConsumerConfig.ISOLATION_LEVEL_CONFIG));
        assertFalse(settings.containsKey(ConsumerConfig.GROUP_ID_CONFIG), settings.toString());
        assertFalse(settings.containsKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), settings.toString());
        assertEquals(false, settings.get(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG));
        assertEquals("localhost:9092", settings.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG));
        assertEquals("query-fresh-fold", settings.get(ConsumerConfig.CLIENT_ID_CONFIG));
    }
}
