package dev.eventbank.projection;

import dev.eventbank.support.testing.Events;
import dev.eventbank.projection.pipeline.DeadLetterHeaders;
import dev.eventbank.projection.pipeline.InternalTopicSettings;
import dev.eventbank.projection.totals.BankTotalsProjection;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.common.AccountStatus;
import dev.eventbank.schemas.common.AccountType;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.readmodel.AccountSnapshot;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.readmodel.BankTotals;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import dev.eventbank.support.testing.ServiceUnderTest;
import dev.eventbank.testbroker.TestBroker;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The projection service as deployed: Micronaut context, Kafka Streams exactly-once, a real broker. */
class ProjectionServiceIT {

    private static final String REGISTRY_URL = ServiceUnderTest.sharedRegistryUrl();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static ApplicationContext context;
    private static EmbeddedServer server;
    private static SchemaRegistryClient registry;
    private static String bootstrapServers;
    private static String applicationId;

    @BeforeAll
    static void startService() throws Exception {
        bootstrapServers = TestBroker.shared().bootstrapServers();
        registry = SchemaRegistryClients.forUrl(REGISTRY_URL);
        applicationId = "projection-it-" + UUID.randomUUID();
        server = ApplicationContext.run(EmbeddedServer.class, TestSecurity.secured(Map.of(
                "micronaut.server.port", -1,
                "kafka.bootstrap.servers", bootstrapServers,
                "schema-registry.url", REGISTRY_URL,
                "eventbank.streams.application-id", applicationId,
                "eventbank.streams.state-dir", ServiceUnderTest.stateDir("projection-it").toString(),
                "eventbank.topics.partitions", 3,
                "eventbank.snapshots.every-events", 3)));
        context = server.getApplicationContext();
    }

    @AfterAll
    static void stopService() {
        if (context != null) {
            context.close();
        }
    }

    @Test
    void shouldPublishAccountStatesReadCommittedAndDeadLetterGarbage() throws Exception {
        // given
        String accountId = UUID.randomUUID().toString();
        byte[] garbage = "definitely not avro".getBytes(StandardCharsets.UTF_8);
        var serializer = AvroSerdes.value(BankAccountEvent.class, registry).serializer();

        long garbageOffset;

        // when
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            for (BankAccountEvent event : List.of(Events.opened(accountId, "100.00"),
                    Events.deposited(accountId, 2, "50.25", "150.25"))) {
                producer.send(new ProducerRecord<>(Topics.EVENTS.name(), accountId,
                        serializer.serialize(Topics.EVENTS.name(), event)));
            }
            garbageOffset = producer.send(new ProducerRecord<>(Topics.EVENTS.name(), accountId, garbage)).get().offset();
            producer.send(new ProducerRecord<>(Topics.EVENTS.name(), accountId,
                    serializer.serialize(Topics.EVENTS.name(), Events.withdrawn(accountId, 3, "0.25", "150.00"))));
            producer.flush();
        }

        // then
        var stateDeserializer = AvroSerdes.value(AccountState.class, registry).deserializer();
        List<ConsumerRecord<String, byte[]>> states = consume(Topics.STATE.name(), accountId, records -> records.size() >= 3);
        List<AccountState> published = states.stream()
                .map(r -> stateDeserializer.deserialize(Topics.STATE.name(), r.value())).toList();
        assertEquals(List.of(1L, 2L, 3L), published.stream().map(AccountState::getVersion).toList());
        assertEquals(new BigDecimal("150.0000"), published.get(2).getBalance());
        assertEquals(AccountStatus.OPEN, published.get(2).getStatus());

        List<ConsumerRecord<String, byte[]>> dead = consume(Topics.EVENTS_DLQ.name(), accountId, records -> !records.isEmpty());
        assertArrayEquals(garbage, dead.get(0).value());
        String reason = new String(dead.get(0).headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8);
        assertTrue(reason.contains("not Confluent wire format"), reason);
        assertEquals(String.valueOf(garbageOffset), new String(dead.get(0).headers().lastHeader(DeadLetterHeaders.SOURCE_OFFSET).value(),
                StandardCharsets.UTF_8));
    }

    @Test
    void shouldDeadLetterAnAmountWithMoreDigitsThanTheReadModelsHoldAndKeepProjecting() throws Exception {
        // given: a deposit whose balanceAfter decodes (the wire does not carry the precision) but has 31 digits, more
        // than the state's and snapshot's decimal(22,4) can be written with; then the right deposit of that version
        String accountId = UUID.randomUUID().toString();
        var serializer = AvroSerdes.value(BankAccountEvent.class, registry).serializer();
        byte[] tooLong = withBalanceAfter(serializer.serialize(Topics.EVENTS.name(),
                Events.deposited(accountId, 2, "50.25", "150.25")), java.math.BigInteger.TEN.pow(30));

        // when
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.EVENTS.name(), accountId,
                    serializer.serialize(Topics.EVENTS.name(), Events.opened(accountId, "100.00"))));
            producer.send(new ProducerRecord<>(Topics.EVENTS.name(), accountId, tooLong));
            producer.send(new ProducerRecord<>(Topics.EVENTS.name(), accountId,
                    serializer.serialize(Topics.EVENTS.name(), Events.deposited(accountId, 2, "50.25", "150.25"))));
            producer.flush();
        }

        // and: an account whose balance swings by more than decimal(22,4) holds (each balance fits, the change the
        // bank totals add up does not), then one more event of the first account behind it
        String swingId = UUID.randomUUID().toString();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.EVENTS.name(), swingId, serializer.serialize(Topics.EVENTS.name(),
                    Events.opened(swingId, "-999999999999999999.00"))));
            producer.send(new ProducerRecord<>(Topics.EVENTS.name(), swingId, serializer.serialize(Topics.EVENTS.name(),
                    Events.deposited(swingId, 2, "1.00", "999999999999999999.00"))));
            producer.send(new ProducerRecord<>(Topics.EVENTS.name(), accountId, serializer.serialize(Topics.EVENTS.name(),
                    Events.deposited(accountId, 3, "1.00", "151.25"))));
            producer.flush();
        }

        // then: the projection did not stop at them (a stream thread failing on one would retry it for ever)
        var stateDeserializer = AvroSerdes.value(AccountState.class, registry).deserializer();
        List<AccountState> published = consume(Topics.STATE.name(), accountId, records -> records.size() >= 3).stream()
                .map(r -> stateDeserializer.deserialize(Topics.STATE.name(), r.value())).toList();
        assertEquals(List.of(1L, 2L, 3L), published.stream().map(AccountState::getVersion).toList());
        assertEquals(new BigDecimal("150.2500"), published.get(1).getBalance());
        List<ConsumerRecord<String, byte[]>> swingDead = consume(Topics.EVENTS_DLQ.name(), swingId, records -> !records.isEmpty());
        String swingReason = new String(swingDead.get(0).headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8);
        assertTrue(swingReason.contains("balance change"), swingReason);
        List<ConsumerRecord<String, byte[]>> dead = consume(Topics.EVENTS_DLQ.name(), accountId, records -> !records.isEmpty());
        assertArrayEquals(tooLong, dead.get(0).value());
        String reason = new String(dead.get(0).headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8);
        assertTrue(reason.contains("digits"), reason);
    }

    /** The event in {@code wire} (Confluent wire format) with its payload's balanceAfter set to {@code unscaled}. */
    private static byte[] withBalanceAfter(byte[] wire, java.math.BigInteger unscaled) throws java.io.IOException {
        // generic data without conversions: decimals stay the bytes of their unscaled value, unchecked
        org.apache.avro.Schema schema = BankAccountEvent.getClassSchema();
        org.apache.avro.generic.GenericRecord event = new org.apache.avro.generic.GenericDatumReader<org.apache.avro.generic.GenericRecord>(
                schema, schema, new org.apache.avro.generic.GenericData())
                .read(null, org.apache.avro.io.DecoderFactory.get().binaryDecoder(wire, 5, wire.length - 5, null));
        ((org.apache.avro.generic.GenericRecord) event.get("payload")).put("balanceAfter",
                java.nio.ByteBuffer.wrap(unscaled.toByteArray()));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(wire, 0, 5); // magic byte and schema id
        org.apache.avro.io.BinaryEncoder encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
        new org.apache.avro.generic.GenericDatumWriter<org.apache.avro.generic.GenericRecord>(schema,
                new org.apache.avro.generic.GenericData()).write(event, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    @Test
    void shouldReportUpWhenStreamsIsRunningAndCaughtUp() throws Exception {
        // given
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + server.getPort() + "/health")).build();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();

        // when
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        while (response.statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        }

        // then: ready only with every owned partition of the log caught up; alive
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().contains("\"UP\"") && response.body().contains("RUNNING"), response.body());
        assertTrue(response.body().contains("\"partitionsCatchingUp\":[]"), response.body());
        HttpResponse<String> readiness = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + server.getPort()
                + "/health/readiness")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> liveness = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + server.getPort()
                + "/health/liveness")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, readiness.statusCode(), readiness.body());
        assertTrue(readiness.body().contains("partitionsCatchingUp"), readiness.body());
        assertEquals(200, liveness.statusCode(), liveness.body());
        assertTrue(liveness.body().contains("kafka-streams-liveness"), liveness.body());
    }

    @Test
    void shouldCreateItsInternalTopicsWithSmallIndexes() throws Exception {
        // given: the topics Kafka Streams creates for the running generation (changelogs, the totals' repartition topic)
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            List<String> internal = List.of();
            while (internal.size() < 5 && System.nanoTime() < deadline) {
                Thread.sleep(200);
                internal = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                        .filter(name -> name.startsWith(applicationId)).sorted().toList();
            }
            assertEquals(5, internal.size(), "4 changelogs and a repartition topic: " + internal);

            // when
            Map<ConfigResource, Config> configs = admin.describeConfigs(internal.stream()
                    .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList()).all().get(30, TimeUnit.SECONDS);

            // then: 1 MiB instead of the broker's 10 MiB (InternalTopicSettings)
            configs.forEach((topic, config) -> assertEquals(String.valueOf(InternalTopicSettings.SEGMENT_INDEX_BYTES),
                    config.get(TopicConfig.SEGMENT_INDEX_BYTES_CONFIG).value(), topic.name()));
        }
    }

    @Test
    void shouldPageHistoryAndTravelInTimeAcrossSnapshotsWhenEventsAreCommitted() throws Exception {
        // given: 8 events, so snapshots cover versions 3 and 6
        String accountId = UUID.randomUUID().toString();
        List<BankAccountEvent> log = new ArrayList<>(List.of(Events.opened(accountId, "100.00")));
        for (int v = 2; v <= 8; v++) {
            log.add(Events.deposited(accountId, v, "10.00", (90 + 10 * v) + ".00"));
        }
        produce(log);
        String base = InternalApi.V1 + "/accounts/" + accountId;
        awaitFound(base + "/state?asOfVersion=8");

        // when
        InternalApi.EventsPage first = events(base + "/events?limit=3");
        InternalApi.EventsPage second = events(base + "/events?fromVersion=" + first.next() + "&limit=3");
        InternalApi.EventsPage third = events(base + "/events?fromVersion=" + second.next() + "&limit=3");

        // then: the pages, in version order, each event as it was appended
        assertEquals(List.of(1L, 2L, 3L), first.versions());
        assertEquals(List.of(4L, 5L, 6L), second.versions());
        assertEquals(List.of(7L, 8L), third.versions());
        assertNull(third.next());
        assertEquals(log.subList(3, 6), second.events());

        // then: time travel before, at and after a snapshot gives the balance of that version
        for (int v = 1; v <= 8; v++) {
            AccountState state = state(base + "/state?asOfVersion=" + v).state();
            assertEquals(v, state.getVersion());
            assertEquals(new BigDecimal(v == 1 ? "100.0000" : (90 + 10 * v) + ".0000"), state.getBalance(), "balance as of version " + v);
        }
        AccountState asOf = state(base + "/state?asOf=" + Events.T0.plusSeconds(7).plusMillis(500)).state();
        assertEquals(7, asOf.getVersion());
        assertEquals(new BigDecimal("160.0000"), asOf.getBalance());

        // then: what is not there is a typed outcome (the query service writes the public 404s)
        InternalApi.StateAnswer beyond = state(base + "/state?asOfVersion=9");
        assertEquals("BEYOND_CURRENT", beyond.outcome());
        assertEquals(8L, beyond.currentVersion());
        InternalApi.StateAnswer beforeOpening = state(base + "/state?asOf=" + Events.T0);
        assertEquals("BEFORE_OPENING", beforeOpening.outcome());
        assertEquals(Events.T0.plusSeconds(1).toString(), beforeOpening.openedAt());
        assertEquals("UNKNOWN_ACCOUNT", state(InternalApi.V1 + "/accounts/" + UUID.randomUUID() + "/state?asOfVersion=1").outcome());
        assertFalse(events(InternalApi.V1 + "/accounts/" + UUID.randomUUID() + "/events").accountExists());
        // then: typed parameters; what does not bind is the framework's 400 problem
        HttpResponse<String> both = get(base + "/state?asOf=" + Events.T0 + "&asOfVersion=2");
        assertEquals(400, both.statusCode());
        assertTrue(both.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
        assertEquals("/problems/invalid-request", json(both).get("type"));
        assertEquals(400, get(base + "/events?limit=4294967297").statusCode());
        assertEquals(400, get(base + "/state?asOfVersion=9223372036854775808").statusCode());
        assertEquals(400, get(InternalApi.V1 + "/accounts/not-a-uuid/events").statusCode());
        // a number out of its range is a 400 problem naming it (not clamped, not a 500 from the stores' keys)
        for (String outOfRange : List.of("/state?asOfVersion=0", "/state?asOfVersion=-1",
                "/state?asOfVersion=-9223372036854775808", "/events?fromVersion=0", "/events?fromVersion=-1",
                "/events?limit=0", "/events?limit=-1", "/events?limit=1001")) {
            HttpResponse<String> refused = get(base + outOfRange);
            assertEquals(400, refused.statusCode(), outOfRange + " -> " + refused.body());
            assertEquals("/problems/invalid-request", json(refused).get("type"), outOfRange);
            String parameter = outOfRange.substring(outOfRange.indexOf('?') + 1, outOfRange.indexOf('='));
            assertTrue(String.valueOf(json(refused).get("detail")).startsWith(parameter + " must be from "),
                    outOfRange + " -> " + refused.body());
        }

        // then: an account id in upper case is the same account (one canonical form, lower case), before routing too
        String upper = InternalApi.V1 + "/accounts/" + accountId.toUpperCase(java.util.Locale.ROOT);
        assertEquals(first.versions(), events(upper + "/events?limit=3").versions());
        AccountState upperState = state(upper + "/state?asOfVersion=8").state();
        assertEquals(accountId, upperState.getAccountId());
        assertEquals(new BigDecimal("170.0000"), upperState.getBalance());
        // an instant past year 9999, its + encoded as the query service sends it
        assertEquals("FOUND", state(base + "/state?asOf=%2B10000-01-01T00%3A00%3A00Z").outcome());
        HttpResponse<String> unknownRoute = get(InternalApi.V1 + "/nothing-here");
        assertEquals(404, unknownRoute.statusCode());
        assertTrue(unknownRoute.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
                unknownRoute.headers().map().toString());
        assertEquals("/problems/not-found", json(unknownRoute).get("type"));

        // then: the snapshots on the compacted topic carry the versions they cover
        var snapshotDeserializer = AvroSerdes.value(AccountSnapshot.class, registry).deserializer();
        List<Long> snapshotVersions = consume(Topics.SNAPSHOTS.name(), accountId, records -> records.size() >= 2).stream()
                .map(r -> snapshotDeserializer.deserialize(Topics.SNAPSHOTS.name(), r.value()).getVersion()).toList();
        assertEquals(List.of(3L, 6L), snapshotVersions);
    }

    @Test
    void shouldShowAVersion1AccountOpenedAsCheckingAndKeepAVersion2OnesEmailAndTypeThroughSnapshots() throws Exception {
        // given: an account opened by the version 1 command service (no accountType, no email), and a savings
        // account with an e-mail address opened now, snapshotted at version 3
        String old = UUID.randomUUID().toString();
        String savings = UUID.randomUUID().toString();
        produceBytes(old, Events.version1Opened(registry, old, "10.0000"));
        produce(List.of(Events.opened(savings, "20.00", "ada@example.com", AccountType.SAVINGS),
                Events.deposited(savings, 2, "1.00", "21.00"), Events.deposited(savings, 3, "1.00", "22.00"),
                Events.deposited(savings, 4, "1.00", "23.00")));
        awaitFound(InternalApi.V1 + "/accounts/" + old + "/state?asOfVersion=1");
        awaitFound(InternalApi.V1 + "/accounts/" + savings + "/state?asOfVersion=4");

        // when
        AccountState oldState = state(InternalApi.V1 + "/accounts/" + old + "/state?asOfVersion=1").state();
        AccountState savingsNow = state(InternalApi.V1 + "/accounts/" + savings + "/state?asOfVersion=4").state();
        AccountState savingsFromSnapshot = state(InternalApi.V1 + "/accounts/" + savings + "/state?asOfVersion=3").state();
        AccountState savingsFolded = state(InternalApi.V1 + "/accounts/" + savings + "/state?asOfVersion=2").state();

        // then: time travel (which the query service renders) knows the type and e-mail address
        assertEquals(AccountType.CHECKING, oldState.getAccountType(), oldState.toString());
        assertNull(oldState.getEmail(), oldState.toString());
        for (AccountState state : List.of(savingsNow, savingsFromSnapshot, savingsFolded)) {
            assertEquals(AccountType.SAVINGS, state.getAccountType(), state.toString());
            assertEquals("ada@example.com", state.getEmail(), state.toString());
        }
        // then: the states on bank-account-state, which the query service's view is built from
        var stateDeserializer = AvroSerdes.value(AccountState.class, registry).deserializer();
        AccountState oldPublished = stateDeserializer.deserialize(Topics.STATE.name(),
                consume(Topics.STATE.name(), old, records -> !records.isEmpty()).get(0).value());
        assertEquals(AccountType.CHECKING, oldPublished.getAccountType());
        assertNull(oldPublished.getEmail());
        List<ConsumerRecord<String, byte[]>> savingsRecords = consume(Topics.STATE.name(), savings, records -> records.size() >= 4);
        AccountState savingsPublished = stateDeserializer.deserialize(Topics.STATE.name(), savingsRecords.get(3).value());
        assertEquals(AccountType.SAVINGS, savingsPublished.getAccountType());
        assertEquals("ada@example.com", savingsPublished.getEmail());
    }

    @Test
    void shouldServeBankTotalsAndLagWhenRunning() throws Exception {
        // given
        String accountId = UUID.randomUUID().toString();
        BankAccountEvent opened = Events.opened(accountId, "1234");
        ((dev.eventbank.schemas.events.AccountOpened) opened.getPayload()).setCurrency("JPY");

        // when
        produce(List.of(opened));

        // then
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        BankTotals totals = InternalApi.totals(get(InternalApi.V1 + "/bank/totals"), registry);
        while (!totals.getBalances().containsKey("JPY") && System.nanoTime() < deadline) {
            Thread.sleep(200);
            totals = InternalApi.totals(get(InternalApi.V1 + "/bank/totals"), registry);
        }
        assertEquals(0, new BigDecimal("1234").compareTo(totals.getBalances().get("JPY")), totals.toString());
        HttpResponse<String> lag = get("/metrics/" + ProjectionLagMetrics.NAME);
        assertEquals(200, lag.statusCode(), lag.body());
        assertTrue(lag.body().contains("partition"), lag.body());
        assertEquals(200, get("/metrics/" + ProjectionLagMetrics.MS_NAME).statusCode());
    }

    @Test
    void shouldPublishTotalsPastTenToTheEighteenExactlyForOldReadersAndKeepProjecting() throws Exception {
        // given: three CHF accounts, each balance within decimal(22,4), together past 10^18 (BankTotals v1's limit,
        // where the summing stream thread used to stop)
        String big = "999999999999999999.9999";
        List<BankAccountEvent> large = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            BankAccountEvent opened = Events.opened(UUID.randomUUID().toString(), big);
            ((dev.eventbank.schemas.events.AccountOpened) opened.getPayload()).setCurrency("CHF");
            large.add(opened);
        }
        String later = UUID.randomUUID().toString();
        BankAccountEvent laterOpened = Events.opened(later, "1");
        ((dev.eventbank.schemas.events.AccountOpened) laterOpened.getPayload()).setCurrency("CHF");

        // when: the large accounts, then one more event behind them
        produce(large);
        produce(List.of(laterOpened));

        // then: the totals hold the exact sum, including the later event (the summing thread kept going)
        BigDecimal expected = new BigDecimal("3000000000000000000.9997");
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        BankTotals totals = InternalApi.totals(get(InternalApi.V1 + "/bank/totals"), registry);
        while (!expected.equals(totals.getBalances().get("CHF")) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            totals = InternalApi.totals(get(InternalApi.V1 + "/bank/totals"), registry);
        }
        assertEquals(expected, totals.getBalances().get("CHF"), totals.toString());
        var states = AvroSerdes.value(AccountState.class, registry).deserializer();
        List<ConsumerRecord<String, byte[]>> laterState = consume(Topics.STATE.name(), later, records -> !records.isEmpty());
        assertEquals(new BigDecimal("1.0000"), states.deserialize(Topics.STATE.name(), laterState.get(0).value()).getBalance());
        // then: the published totals read exactly by a reader on BankTotals v1 (decimal(22,4)), as another team's
        // Java consumer with the old generated class would: Avro resolves the bytes and applies the reader's scale
        List<ConsumerRecord<String, byte[]>> published = consume(BankTotalsProjection.TOPIC, BankTotalsProjection.KEY,
                records -> !records.isEmpty() && expected.equals(oldReader(records.get(records.size() - 1).value()).get("CHF")));
        assertEquals(expected, oldReader(published.get(published.size() - 1).value()).get("CHF"));
    }

    /** The balances of a {@code bank-totals} record as a consumer reading with BankTotals v1 as its reader schema sees them. */
    @SuppressWarnings("unchecked")
    private static Map<String, BigDecimal> oldReader(byte[] confluentWire) {
        org.apache.avro.Schema v1 = dev.eventbank.schemas.evolution.SchemaHistory.releases("BankTotals").get(0);
        var model = new org.apache.avro.generic.GenericData();
        model.addLogicalTypeConversion(new org.apache.avro.Conversions.DecimalConversion());
        int id = java.nio.ByteBuffer.wrap(confluentWire, 1, 4).getInt();
        org.apache.avro.Schema writer = registry.schemaById(id);
        var reader = new org.apache.avro.generic.GenericDatumReader<org.apache.avro.generic.GenericRecord>(writer, v1, model);
        try {
            var decoder = org.apache.avro.io.DecoderFactory.get().binaryDecoder(confluentWire, 5, confluentWire.length - 5, null);
            Map<String, BigDecimal> balances = new java.util.TreeMap<>();
            ((Map<Object, BigDecimal>) reader.read(null, decoder).get("balances"))
                    .forEach((currency, amount) -> balances.put(currency.toString(), amount));
            return balances;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void produce(List<BankAccountEvent> events) throws Exception {
        TestTopics.produceEvents(bootstrapServers, registry, events);
    }

    private static void produceBytes(String key, byte[] value) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.EVENTS.name(), key, value)).get();
        }
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + server.getPort() + path))
                .header("Authorization", TestSecurity.authorizationFor(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static InternalApi.EventsPage events(String path) throws Exception {
        return InternalApi.events(get(path), registry);
    }

    private static InternalApi.StateAnswer state(String path) throws Exception {
        return InternalApi.state(get(path), registry);
    }

    /** Waits until the time-travel read at {@code path} finds the account (the events are projected). */
    private static void awaitFound(String path) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        HttpResponse<String> response = get(path);
        while (!(response.statusCode() == 200 && InternalApi.state(response, registry).outcome().equals("FOUND"))
                && System.nanoTime() < deadline) {
            Thread.sleep(200);
            response = get(path);
        }
        assertEquals("FOUND", InternalApi.state(response, registry).outcome(), response.body());
    }


    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(HttpResponse<String> response) throws Exception {
        assertTrue(response.statusCode() < 500, response.body());
        return context.getBean(io.micronaut.json.JsonMapper.class).readValue(response.body(), Map.class);
    }

    /** Reads {@code topic} read_committed from the beginning until the records of {@code key} satisfy {@code done}. */
    private static List<ConsumerRecord<String, byte[]>> consume(String topic, String key,
                                                                Predicate<List<ConsumerRecord<String, byte[]>>> done) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "projection-it-reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!done.test(records)) {
                if (System.nanoTime() > deadline) {
                    fail("only " + records.size() + " records of " + key + " on " + topic + " after " + TIMEOUT);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(record -> {
                    if (key.equals(record.key())) {
                        records.add(record);
                    }
                });
            }
        }
        return records;
    }
}
