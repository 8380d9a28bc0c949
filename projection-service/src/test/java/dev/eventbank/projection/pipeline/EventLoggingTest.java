package dev.eventbank.projection.pipeline;

import dev.eventbank.support.testing.Events;
import dev.eventbank.support.testing.Events;
import dev.eventbank.projection.TestDriverConfig;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import dev.eventbank.support.testing.LogCapture;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.MDC;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The projection's log lines carry the ids of the event they are about (from its envelope) in the MDC, and the
 * service's logback.xml writes them as one JSON object per line with {@code LOG_FORMAT=json}. TopologyTestDriver
 * processes on the test thread, so the MDC left behind after a record is visible here too.
 */
class EventLoggingTest {

    private static final String ID = "7a1c2e3f-4b5d-4e6f-8a9b-0c1d2e3f4a5b";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path stateDir;

    private LogCapture projectionLog;
    private TopologyTestDriver driver;
    private Serde<BankAccountEvent> eventSerde;
    private TestInputTopic<String, byte[]> events;

    @BeforeEach
    void startDriver() {
        // the fold processor and the read models it feeds (the snapshot line comes from the snapshots package)
        projectionLog = LogCapture.of("dev.eventbank.projection");
        SchemaRegistryClient registry = SchemaRegistryClients.forUrl("mock://event-logging-test-" + UUID.randomUUID());
        eventSerde = AvroSerdes.value(BankAccountEvent.class, registry);
        StreamsBuilder builder = new StreamsBuilder();
        // a snapshot at every version, so that applying an event also snapshots it
        ReadSideTopology.build(builder, registry, 1);
        Properties properties = TestDriverConfig.exactlyOnce("event-logging-test", stateDir);
        driver = new TopologyTestDriver(builder.build(), properties);
        events = driver.createInputTopic(Topics.EVENTS.name(), new StringSerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void closeDriver() {
        driver.close();
        projectionLog.close();
        MDC.clear();
    }

    @Test
    void shouldCarryTheEnvelopeIdsWhenAnEventIsDeadLettered() {
        // given: an account the projection has never seen
        BankAccountEvent gap = Events.deposited(ID, 3, "1.00", "101.00");

        // when
        append(gap);

        // then
        ILoggingEvent deadLettered = line("event dead-lettered");
        assertEquals(Level.WARN, deadLettered.getLevel());
        assertEquals(Map.of("correlationId", gap.getCorrelationId(), "commandId", gap.getCommandId(), "accountId", ID,
                "eventId", gap.getEventId(), "version", "3"), deadLettered.getMDCPropertyMap());
        assertMdcCleared();
    }

    @Test
    void shouldCarryTheEnvelopeIdsWhenAnEventIsAppliedAndSnapshotted() {
        // given
        projectionLog.atLevel(Level.DEBUG);
        BankAccountEvent opened = Events.opened(ID, "100.00");
        BankAccountEvent deposited = Events.deposited(ID, 2, "1.00", "101.00");

        // when
        append(opened);
        append(deposited);
        append(deposited);

        // then: each line has its own event's ids, none leaks into the next record's lines
        List<ILoggingEvent> applied = lines("event applied");
        assertEquals(List.of(opened.getCorrelationId(), deposited.getCorrelationId()),
                applied.stream().map(line -> line.getMDCPropertyMap().get("correlationId")).toList());
        assertEquals(deposited.getEventId(), lines("snapshot taken").get(1).getMDCPropertyMap().get("eventId"));
        ILoggingEvent skipped = line("event already applied");
        assertEquals(deposited.getCommandId(), skipped.getMDCPropertyMap().get("commandId"));
        assertEquals("2", skipped.getMDCPropertyMap().get("version"));
        assertMdcCleared();
    }

    @Test
    void shouldCarryOnlyTheAccountIdWhenARecordCannotBeDecoded() {
        // when
        events.pipeInput(ID, "not avro".getBytes(StandardCharsets.UTF_8));

        // then
        assertEquals(Map.of("accountId", ID), line("event dead-lettered").getMDCPropertyMap());
        assertMdcCleared();
    }

    @Test
    void shouldWriteOneJsonObjectPerLineWithTheMdcWhenLogFormatIsJson() throws Exception {
        // given
        BankAccountEvent gap = Events.deposited(ID, 3, "1.00", "101.00");
        append(gap);
        ILoggingEvent deadLettered = line("event dead-lettered");

        // when: the encoder of the service's own logback.xml, as LOG_FORMAT=json selects it
        String json = LogCapture.encode(deadLettered, "json");

        // then
        assertTrue(json.endsWith("\n"), json);
        assertEquals(json.length() - 1, json.indexOf('\n'), "one line: " + json);
        JsonNode line = JSON.readTree(json);
        assertEquals("WARN", line.path("level").asText(), json);
        assertTrue(line.path("formattedMessage").asText().startsWith("event dead-lettered"), json);
        assertEquals(gap.getCorrelationId(), line.path("mdc").path("correlationId").asText(), json);
        assertEquals(gap.getCommandId(), line.path("mdc").path("commandId").asText(), json);
        assertEquals(ID, line.path("mdc").path("accountId").asText(), json);
        assertEquals(gap.getEventId(), line.path("mdc").path("eventId").asText(), json);
        assertEquals("3", line.path("mdc").path("version").asText(), json);
    }

    @Test
    void shouldEndPlainLinesWithTheCorrelationIdWhenNoFormatIsChosen() throws Exception {
        // given
        BankAccountEvent gap = Events.deposited(ID, 3, "1.00", "101.00");
        append(gap);

        // when
        String plain = LogCapture.encode(line("event dead-lettered"), null);

        // then
        assertTrue(plain.stripTrailing().endsWith(" correlationId=" + gap.getCorrelationId()), plain);
    }

    private void append(BankAccountEvent event) {
        events.pipeInput(event.getAggregateId(), eventSerde.serializer().serialize(Topics.EVENTS.name(), event));
    }

    private ILoggingEvent line(String prefix) {
        List<ILoggingEvent> found = lines(prefix);
        assertEquals(1, found.size(), "lines starting with '" + prefix + "' in " + projectionLog.lines());
        return found.get(0);
    }

    private List<ILoggingEvent> lines(String prefix) {
        return projectionLog.lines(prefix);
    }

    private static void assertMdcCleared() {
        Map<String, String> left = MDC.getCopyOfContextMap();
        assertTrue(left == null || left.isEmpty(), "MDC after processing: " + left);
    }
}
