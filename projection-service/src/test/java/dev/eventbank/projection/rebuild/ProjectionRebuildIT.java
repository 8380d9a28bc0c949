package dev.eventbank.projection.rebuild;

import dev.eventbank.support.testing.Events;
import dev.eventbank.projection.TestSecurity;
import dev.eventbank.projection.TestTopics;
import dev.eventbank.support.testing.Events;
import dev.eventbank.projection.InternalApi;
import dev.eventbank.projection.totals.BankTotalsProjection;
import dev.eventbank.schemas.catalog.Topics;
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
import io.micronaut.json.JsonMapper;
import io.micronaut.runtime.server.EmbeddedServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The rebuild on a real broker: generation 0 projects a log, a rebuild builds generation 1 from the beginning
 * while generation 0 keeps serving and publishing, the switch routes reads to generation 1 (same answers), the old
 * generation's group and topics are deleted, later events are projected once, and a restart keeps generation 1.
 */
class ProjectionRebuildIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final String registryUrl = ServiceUnderTest.sharedRegistryUrl();
    private final String base = "rebuild-it-" + UUID.randomUUID();
    private final HttpClient http = HttpClient.newHttpClient();
    private String bootstrapServers;
    private SchemaRegistryClient registry;
    private Path stateDir;
    private EmbeddedServer server;

    @BeforeEach
    void startService() throws Exception {
        bootstrapServers = TestBroker.shared().bootstrapServers();
        registry = SchemaRegistryClients.forUrl(registryUrl);
        stateDir = ServiceUnderTest.stateDir("rebuild-it");
        server = start();
    }

    /** Where the service keeps its generations' state: the shared broker's cluster's directory in {@link #stateDir}. */
    private Path clusterStateDir() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            return dev.eventbank.support.streams.ClusterStateDirectory.of(stateDir,
                    admin.describeCluster().clusterId().get(10, java.util.concurrent.TimeUnit.SECONDS));
        }
    }

    @AfterEach
    void stopService() {
        if (server != null) {
            server.getApplicationContext().close();
        }
    }

    @Test
    void shouldServeTheOldGenerationUntilTheSwitchThenTheRebuiltOneWithEveryEventOnce() throws Exception {
        // given: generation 0 has projected two accounts
        String a = UUID.randomUUID().toString();
        String b = UUID.randomUUID().toString();
        produce(List.of(Events.opened(a, "100.00"), Events.deposited(a, 2, "10.00", "110.00"),
                Events.deposited(a, 3, "10.00", "120.00"), Events.withdrawn(a, 4, "20.00", "100.00"),
                Events.deposited(a, 5, "5.00", "105.00"), Events.opened(b, "7.00"), Events.closed(b, 2)));
        awaitFound(InternalApi.V1 + "/accounts/" + a + "/state?asOfVersion=5");
        awaitFound(InternalApi.V1 + "/accounts/" + b + "/state?asOfVersion=2");
        HttpResponse<String> historyBefore = get(InternalApi.V1 + "/accounts/" + a + "/events");
        HttpResponse<String> asOfBefore = get(InternalApi.V1 + "/accounts/" + a + "/state?asOfVersion=3");
        awaitCaughtUp(base); // the totals go through a repartition topic: wait until it is consumed too
        BankTotals totalsBefore = awaitSettledTotals();
        assertEquals("0", historyBefore.headers().firstValue(ProjectionGeneration.HEADER).orElse(""));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), publishedVersions(a));

        // when: a rebuild that waits for the switch
        HttpResponse<String> started = post("/admin/rebuild?autoSwitch=false");
        HttpResponse<String> second = post("/admin/rebuild");

        // then
        assertEquals(202, started.statusCode(), started.body());
        assertEquals(1, ((Number) json(started).get("generation")).intValue());
        assertEquals(409, second.statusCode(), second.body());
        assertTrue(second.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
        assertTrue(second.body().contains("already running"), second.body());
        Map<String, Object> caughtUp = awaitRebuild("CAUGHT_UP");
        assertTrue(((Number) caughtUp.get("eventsProcessed")).longValue() >= 7, caughtUp.toString());
        assertEquals(0, ((Number) caughtUp.get("activeGeneration")).intValue());

        // then: until the switch, reads are served by generation 0, and generation 1 published nothing
        HttpResponse<String> during = get(InternalApi.V1 + "/accounts/" + a + "/events");
        assertEquals("0", during.headers().firstValue(ProjectionGeneration.HEADER).orElse(""));
        assertEquals(historyBefore.body(), during.body());
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), publishedVersions(a));

        // when: the switch
        assertEquals(202, post("/admin/rebuild/switch").statusCode());
        Map<String, Object> done = awaitRebuild("DONE");

        // then: generation 1 answers the same history, time travel and totals
        assertEquals(1, ((Number) done.get("activeGeneration")).intValue());
        assertEquals(null, done.get("warning"), done.toString());
        HttpResponse<String> historyAfter = get(InternalApi.V1 + "/accounts/" + a + "/events");
        assertEquals("1", historyAfter.headers().firstValue(ProjectionGeneration.HEADER).orElse(""));
        assertEquals(historyBefore.body(), historyAfter.body());
        assertEquals(asOfBefore.body(), get(InternalApi.V1 + "/accounts/" + a + "/state?asOfVersion=3").body());
        assertEquals(totalsBefore, InternalApi.totals(get(InternalApi.V1 + "/bank/totals"), registry));
        // then: the switch re-published each account's current state once (same version: the view accepts it)
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 5L), awaitPublishedVersions(a, 6));
        assertEquals(List.of(1L, 2L, 2L), awaitPublishedVersions(b, 3));
        // then: generation 0 is gone from the broker, generation 1 is recorded as active
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Set<String> topics = admin.listTopics().names().get();
            assertFalse(topics.contains(base + "-account-state-store-changelog"), "old changelog deleted");
            assertTrue(topics.contains(base + "-g1-account-state-store-changelog"), "new changelog exists");
            assertFalse(admin.listGroups().all().get().stream().map(GroupListing::groupId).anyMatch(base::equals),
                    "old consumer group deleted");
        }
        try (GenerationControl control = new GenerationControl(java.util.Map.of("bootstrap.servers", bootstrapServers), base)) {
            assertEquals(1, control.read().active());
        }
        // the generations live in the cluster's directory (ClusterStateDirectory): the new one's is there
        assertTrue(Files.isDirectory(clusterStateDir().resolve("g1")), "new generation's local state");
        assertFalse(Files.exists(clusterStateDir().resolve(base)), "old generation's local state deleted");

        // when: new events after the switch
        produce(List.of(Events.deposited(a, 6, "1.00", "106.00"), Events.deposited(a, 7, "1.00", "107.00")));

        // then: projected exactly once, by generation 1
        awaitFound(InternalApi.V1 + "/accounts/" + a + "/state?asOfVersion=7");
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L), InternalApi.events(get(InternalApi.V1 + "/accounts/" + a + "/events"), registry).versions());
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 5L, 6L, 7L), awaitPublishedVersions(a, 8));
        long appliedBefore = totalsBefore.getEventsApplied();
        BankTotals totalsAfter = awaitTotals(totals -> totals.getEventsApplied() >= appliedBefore + 2);
        assertEquals(appliedBefore + 2, totalsAfter.getEventsApplied());

        // given: what a stop during generation 0's retirement leaves (its changelog and state directory)
        server.getApplicationContext().close();
        String leftoverTopic = base + "-account-state-store-changelog";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(leftoverTopic, 1, (short) 1)))
                    .all().get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
        Path leftoverDir = Files.createDirectories(clusterStateDir().resolve(base).resolve("0_0"));

        // when: the service restarts
        server = start();

        // then: it runs generation 1 again, from its own state, without replaying anything to the state topic
        awaitFound(InternalApi.V1 + "/accounts/" + a + "/state?asOfVersion=7");
        HttpResponse<String> afterRestart = get(InternalApi.V1 + "/accounts/" + a + "/events");
        assertEquals("1", afterRestart.headers().firstValue(ProjectionGeneration.HEADER).orElse(""));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L), InternalApi.events(afterRestart, registry).versions());
        assertEquals("NONE", json(get("/admin/rebuild")).get("state"));
        Thread.sleep(1000);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 5L, 6L, 7L), publishedVersions(a));
        // then: the retired generation's leftovers are deleted at the start, generation 1's state is kept
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            while ((admin.listTopics().names().get().contains(leftoverTopic) || Files.exists(leftoverDir.getParent()))
                    && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertFalse(admin.listTopics().names().get().contains(leftoverTopic), "retired generation's changelog");
        }
        assertFalse(Files.exists(leftoverDir.getParent()), "retired generation's state directory");
        assertTrue(Files.isDirectory(clusterStateDir().resolve("g1")), "active generation's state directory");
    }

    @Test
    void shouldDropAnAbandonedRebuildAtRestartAndStartTheNextOneUnderANewGeneration() throws Exception {
        // given: a rebuild the service stops in the middle of
        String a = UUID.randomUUID().toString();
        produce(List.of(Events.opened(a, "1.00")));
        awaitFound(InternalApi.V1 + "/accounts/" + a + "/state?asOfVersion=1");
        assertEquals(202, post("/admin/rebuild?autoSwitch=false").statusCode());
        awaitRebuild("CAUGHT_UP");

        // when: restart, then a new rebuild that switches by itself
        server.getApplicationContext().close();
        server = start();
        awaitFound(InternalApi.V1 + "/accounts/" + a + "/state?asOfVersion=1");
        // then: generation 0 re-published its accounts once (a stop during a handover leaves what it processed
        // with its publishing closed unpublished)
        List<Long> afterRestart = awaitPublishedVersions(a, 2);
        String generationAfterRestart = get(InternalApi.V1 + "/accounts/" + a + "/events").headers()
                .firstValue(ProjectionGeneration.HEADER).orElse("");
        HttpResponse<String> next = post("/admin/rebuild");
        Map<String, Object> done = awaitRebuild("DONE");

        // then: the abandoned generation 1 was dropped (still generation 0 after the restart), the new one is 2
        assertEquals(List.of(1L, 1L), afterRestart);
        assertEquals("0", generationAfterRestart);
        assertEquals(202, next.statusCode(), next.body());
        assertEquals(2, ((Number) done.get("generation")).intValue());
        assertEquals(2, ((Number) done.get("activeGeneration")).intValue());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Set<String> topics = admin.listTopics().names().get();
            assertFalse(topics.contains(base + "-g1-account-state-store-changelog"), "abandoned generation's changelog");
            assertTrue(Files.isDirectory(clusterStateDir().resolve("g2")), "the new generation's state directory");
            assertFalse(Files.exists(clusterStateDir().resolve("g1")), "abandoned generation's state directory");
        }
        assertEquals(List.of(1L), InternalApi.events(get(InternalApi.V1 + "/accounts/" + a + "/events"), registry).versions());
    }

    @Test
    void shouldRepublishTheRebuiltSnapshotsAndTotalsAtTheSwitchAndDeleteTheOldGenerationsSubjects() throws Exception {
        // given: generation 0 projects without snapshots (every-events 0)
        server.getApplicationContext().close();
        server = start(0);
        String a = UUID.randomUUID().toString();
        String b = UUID.randomUUID().toString();
        produce(List.of(Events.opened(a, "100.00"), Events.deposited(a, 2, "10.00", "110.00"),
                Events.deposited(a, 3, "10.00", "120.00"), Events.deposited(a, 4, "1.00", "121.00"),
                Events.opened(b, "7.00"), Events.closed(b, 2)));
        awaitFound(InternalApi.V1 + "/accounts/" + a + "/state?asOfVersion=4");
        awaitFound(InternalApi.V1 + "/accounts/" + b + "/state?asOfVersion=2");
        awaitCaughtUp(base);
        BankTotals totals = awaitSettledTotals();
        var snapshotDeserializer = AvroSerdes.value(AccountSnapshot.class, registry).deserializer();
        var totalsDeserializer = AvroSerdes.value(BankTotals.class, registry).deserializer();
        assertEquals(List.of(), published(Topics.SNAPSHOTS.name(), a, snapshotDeserializer));
        int totalsRecordsBefore = published(BankTotalsProjection.TOPIC, BankTotalsProjection.KEY, totalsDeserializer).size();
        Set<String> oldSubjects = Set.of(base + "-account-state-store-changelog-value",
                base + "-bank-totals-store-changelog-value", base + "-bank-totals-deltas-repartition-value");
        assertTrue(registry.subjects().containsAll(oldSubjects), registry.subjects().toString());

        // when: restarted with a snapshot every 3 events (still generation 0: it snapshots nothing, no new events),
        // then rebuilt, switching as soon as it has caught up
        server.getApplicationContext().close();
        server = start(3);
        assertEquals(202, post("/admin/rebuild").statusCode());
        Map<String, Object> done = awaitRebuild("DONE");

        // then: the snapshot topic carries the rebuilt generation's latest snapshot of a (b has none: 2 events)
        assertEquals(null, done.get("warning"), done.toString());
        List<AccountSnapshot> snapshots = awaitPublished(Topics.SNAPSHOTS.name(), a, snapshotDeserializer, 1);
        assertEquals(1, snapshots.size(), snapshots.toString());
        assertEquals(3L, snapshots.get(0).getVersion());
        assertEquals(new BigDecimal("120.0000"), snapshots.get(0).getBalance());
        assertEquals(List.of(), published(Topics.SNAPSHOTS.name(), b, snapshotDeserializer));
        // then: the totals topic got the rebuilt totals once, without any new event
        List<BankTotals> totalsRecords = awaitPublished(BankTotalsProjection.TOPIC, BankTotalsProjection.KEY,
                totalsDeserializer, totalsRecordsBefore + 1);
        assertEquals(totalsRecordsBefore + 1, totalsRecords.size(), totalsRecords.subList(Math.max(0, totalsRecordsBefore - 2), totalsRecords.size()).toString());
        BankTotals republished = totalsRecords.get(totalsRecords.size() - 1);
        BankTotals rebuiltTotals = InternalApi.totals(get(InternalApi.V1 + "/bank/totals"), registry);
        assertEquals(totals, rebuiltTotals);
        assertEquals(rebuiltTotals, republished);
        // then: generation 0's subjects went with its topics, generation 1's are there
        List<String> subjects = registry.subjects();
        assertTrue(oldSubjects.stream().noneMatch(subjects::contains), subjects.toString());
        assertTrue(subjects.contains(base + "-g1-account-state-store-changelog-value"), subjects.toString());
        assertTrue(subjects.contains(base + "-g1-account-snapshot-store-changelog-value"), subjects.toString());
    }

    @Test
    void shouldAnswer503AndStillCarryOutTheRequestWhenTheRebuildMonitorTakesLongerThanTheCallTimeout() throws Exception {
        // given: a call timeout shorter than starting or stopping a generation takes (Kafka round trips, seconds),
        // as a slow broker makes the default 90 s (a cancel then took 90 s and was answered with a bare 500)
        server.getApplicationContext().close();
        server = start(3, Map.of("eventbank.rebuild.call-timeout", "1ms"));

        // when
        HttpResponse<String> started = post("/admin/rebuild?autoSwitch=false");
        String runningState = awaitRebuildState(Set.of("REBUILDING", "CAUGHT_UP"));
        HttpResponse<String> cancelled = delete("/admin/rebuild");
        String endState = awaitRebuildState(Set.of("CANCELLED"));

        // then: a 503 problem saying where to look, and each request took effect
        for (HttpResponse<String> busy : List.of(started, cancelled)) {
            assertEquals(503, busy.statusCode(), busy.body());
            assertEquals("1", busy.headers().firstValue("Retry-After").orElse(""), busy.body());
            assertTrue(busy.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"), busy.body());
            assertTrue(busy.body().contains("GET /admin/rebuild"), busy.body());
        }
        assertTrue(Set.of("REBUILDING", "CAUGHT_UP").contains(runningState), runningState);
        assertEquals("CANCELLED", endState);
    }

    /** The rebuild's state once it is one of {@code states}, or the last one seen after the timeout. */
    private String awaitRebuildState(Set<String> states) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        String state = String.valueOf(json(get("/admin/rebuild")).get("state"));
        while (!states.contains(state) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            state = String.valueOf(json(get("/admin/rebuild")).get("state"));
        }
        return state;
    }

    private EmbeddedServer start() {
        return start(3);
    }

    private EmbeddedServer start(int snapshotEvery) {
        return start(snapshotEvery, Map.of());
    }

    private EmbeddedServer start(int snapshotEvery, Map<String, Object> extra) {
        Map<String, Object> config = new java.util.HashMap<>(Map.of(
                "micronaut.server.port", -1,
                "kafka.bootstrap.servers", bootstrapServers,
                "schema-registry.url", registryUrl,
                "eventbank.streams.application-id", base,
                "eventbank.streams.state-dir", stateDir.toString(),
                "eventbank.topics.partitions", 3,
                "eventbank.snapshots.every-events", snapshotEvery));
        config.putAll(extra);
        return ApplicationContext.run(EmbeddedServer.class, TestSecurity.secured(config));
    }

    /** The values of {@code key}'s records on {@code topic}, read_committed, from the beginning to the end now. */
    private <T> List<T> published(String topic, String key, Deserializer<T> deserializer) {
        return TestTopics.readToEnd(bootstrapServers, topic, TIMEOUT).stream().filter(record -> key.equals(record.key()))
                .map(record -> deserializer.deserialize(topic, record.value())).toList();
    }

    /** {@link #published} once it has {@code count} values (or the timeout passed), and a moment later. */
    private <T> List<T> awaitPublished(String topic, String key, Deserializer<T> deserializer, int count) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (published(topic, key, deserializer).size() < count && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        Thread.sleep(500); // and nothing more after a moment
        return published(topic, key, deserializer);
    }

    private void produce(List<BankAccountEvent> events) throws Exception {
        TestTopics.produceEvents(bootstrapServers, registry, events);
    }

    /** Versions of {@code key}'s records on the state topic, read_committed, from the beginning to the end now. */
    private List<Long> publishedVersions(String key) {
        return published(Topics.STATE.name(), key, AvroSerdes.value(AccountState.class, registry).deserializer()).stream()
                .map(AccountState::getVersion).toList();
    }

    private List<Long> awaitPublishedVersions(String key, int count) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        List<Long> versions = publishedVersions(key);
        while (versions.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(200);
            versions = publishedVersions(key);
        }
        Thread.sleep(500); // and nothing more after a moment
        return publishedVersions(key);
    }

    private void awaitCaughtUp(String applicationId) throws Exception {
        CaughtUp.await(bootstrapServers, applicationId, TIMEOUT);
    }

    private Map<String, Object> awaitRebuild(String state) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        Map<String, Object> status = json(get("/admin/rebuild"));
        while (!state.equals(status.get("state")) && System.nanoTime() < deadline) {
            assertFalse(List.of("FAILED", "CANCELLED").contains(status.get("state")), status.toString());
            Thread.sleep(200);
            status = json(get("/admin/rebuild"));
        }
        assertEquals(state, status.get("state"), status.toString());
        return status;
    }

    /**
     * The totals once they stop moving: the same answer for {@link #SETTLED}, longer than twice the projection's
     * backlog commit interval (1 s). Events older than a second are committed once per that interval, and their
     * deltas reach the totals through a repartition topic only with that commit, which a caught-up lag does not show.
     */
    private BankTotals awaitSettledTotals() throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        BankTotals last = awaitTotals(totals -> true);
        long since = System.nanoTime();
        while (System.nanoTime() - since < SETTLED.toNanos() && System.nanoTime() < deadline) {
            Thread.sleep(250);
            BankTotals now = awaitTotals(totals -> true);
            if (!now.equals(last)) {
                last = now;
                since = System.nanoTime();
            }
        }
        return last;
    }

    private static final Duration SETTLED = Duration.ofMillis(2500);

    private BankTotals awaitTotals(Predicate<BankTotals> done) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        HttpResponse<String> response = get(InternalApi.V1 + "/bank/totals");
        while ((response.statusCode() != 200 || !done.test(InternalApi.totals(response, registry)))
                && System.nanoTime() < deadline) {
            Thread.sleep(200);
            response = get(InternalApi.V1 + "/bank/totals");
        }
        return InternalApi.totals(response, registry);
    }

    /** Waits until the time-travel read at {@code path} finds the account (its events are projected). */
    private void awaitFound(String path) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        HttpResponse<String> response = get(path);
        while (!(response.statusCode() == 200 && InternalApi.state(response, registry).outcome().equals("FOUND"))
                && System.nanoTime() < deadline) {
            Thread.sleep(200);
            response = get(path);
        }
        assertEquals("FOUND", InternalApi.state(response, registry).outcome(), response.body());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + server.getPort() + path))
                .header("Authorization", TestSecurity.authorizationFor(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> delete(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + server.getPort() + path))
                .header("Authorization", TestSecurity.authorizationFor(path))
                .DELETE().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + server.getPort() + path))
                .header("Authorization", TestSecurity.authorizationFor(path))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }


    @SuppressWarnings("unchecked")
    private Map<String, Object> json(HttpResponse<String> response) throws Exception {
        assertTrue(response.statusCode() < 500, response.body());
        return server.getApplicationContext().getBean(JsonMapper.class).readValue(response.body(), Map.class);
    }

}
