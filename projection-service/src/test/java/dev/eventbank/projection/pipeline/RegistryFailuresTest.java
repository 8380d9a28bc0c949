package dev.eventbank.projection.pipeline;

import dev.eventbank.projection.TestDriverConfig;
import dev.eventbank.projection.state.AccountStateProjection;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.support.testing.Events;
import dev.eventbank.support.testing.RegistryStandIn;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An event whose writer schema the registry cannot give is dead-lettered only when the registry says it does not
 * hold that id (Confluent's {@code error_code} 40403). Any other answer (a 429 of a rate-limited managed registry,
 * a 401 of expired credentials, a proxy's 404 page, a 503) says nothing about the event: the projection fails the
 * record, to be retried from the last commit, and dead-letters nothing, since a dead-lettered event makes every
 * later event of its account a gap.
 *
 * <p>The registry is a {@link RegistryStandIn}: Confluent Cloud's rate limiting and a misconfigured proxy cannot run
 * on this machine, the HTTP exchange and our client's handling of it do.
 */
class RegistryFailuresTest {

    private static final String ID = "2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091";

    @TempDir
    Path stateDir;

    private final RegistryStandIn registry = new RegistryStandIn();
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> events;
    private TestOutputTopic<String, byte[]> deadLetters;
    private byte[] opened;

    @BeforeEach
    void start() {
        // the event is written with a schema id the projection's registry client has not fetched yet
        opened = AvroSerdes.value(BankAccountEvent.class, registry.held()).serializer()
                .serialize(Topics.EVENTS.name(), Events.opened(ID, "100.00"));
        StreamsBuilder builder = new StreamsBuilder();
        ReadSideTopology.build(builder, registry.client(), 100);
        driver = new TopologyTestDriver(builder.build(), TestDriverConfig.exactlyOnce("registry-failures-test", stateDir));
        events = driver.createInputTopic(Topics.EVENTS.name(), new StringSerializer(), new ByteArraySerializer());
        deadLetters = driver.createOutputTopic(Topics.EVENTS_DLQ.name(), new StringDeserializer(),
                new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
        registry.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "rate limited|429|{\"error_code\":429,\"message\":\"Too Many Requests\"}",
            "credentials expired|401|{\"error_code\":401,\"message\":\"Unauthorized\"}",
            "forbidden|403|{\"error_code\":40301,\"message\":\"User is denied operation Read on Subject\"}",
            "a proxy's page|404|<html><body>Not Found</body></html>",
            "registry failing|503|{\"error_code\":50003,\"message\":\"Error while forwarding the request\"}"})
    void shouldRetryRatherThanDeadLetterWhenTheRegistryFailsForAnotherReasonThanAnUnknownId(String reason, int status,
                                                                                           String body) {
        // given
        registry.failSchemaFetches(new RegistryStandIn.Failure(status, body));

        // when / then: the record fails, nothing is dead-lettered
        assertThrows(RuntimeException.class, () -> events.pipeInput(ID, opened));
        assertTrue(deadLetters.isEmpty(), reason + ": dead-lettered");

        // and once the registry answers, the same event is applied
        registry.failSchemaFetches(null);
        events.pipeInput(ID, opened);
        assertTrue(deadLetters.isEmpty());
        AccountState state = driver.<String, AccountState>getKeyValueStore(AccountStateProjection.STORE).get(ID);
        assertEquals(1L, state.getVersion());
    }

    @Test
    void shouldDeadLetterAnEventWhoseSchemaIdTheRegistryDoesNotHold() {
        // given
        registry.failSchemaFetches(new RegistryStandIn.Failure(404, "{\"error_code\":40403,\"message\":\"Schema not found\"}"));

        // when
        events.pipeInput(ID, opened);

        // then
        assertEquals(1, deadLetters.readRecordsToList().size());
    }
}
