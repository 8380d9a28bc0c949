package dev.eventbank.projection.rebuild;

import dev.eventbank.projection.TestSecurity;
import dev.eventbank.support.testing.Events;
import dev.eventbank.projection.TestTopics;
import dev.eventbank.projection.totals.BankTotalsProjection;

import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.readmodel.BankTotals;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import dev.eventbank.support.testing.ServiceUnderTest;
import dev.eventbank.testbroker.TestBroker;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A rebuild's switch while events keep coming, on a real broker: what other teams read from the public topics
 * stays right. Every account's latest published state is its last event's, and the rebuilt generation's bank
 * totals count every event of the log exactly once: no event lost or applied twice across the switch, whichever
 * generation handled it. Verified from the topics alone (what an outside consumer sees).
 */
class RebuildSwitchUnderLoadIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int ACCOUNTS = 8;

    private final String registryUrl = ServiceUnderTest.sharedRegistryUrl();
    private final String base = "rebuild-load-it-" + UUID.randomUUID();
    private final HttpClient http = HttpClient.newHttpClient();
    private String bootstrapServers;
    private SchemaRegistryClient registry;
    private EmbeddedServer server;

    @BeforeEach
    void startService() throws Exception {
        bootstrapServers = TestBroker.shared().bootstrapServers();
        registry = SchemaRegistryClients.forUrl(registryUrl);
        Path stateDir = ServiceUnderTest.stateDir("rebuild-load-it");
        server = ApplicationContext.run(EmbeddedServer.class, TestSecurity.secured(Map.of(
                "micronaut.server.port", -1,
                "kafka.bootstrap.servers", bootstrapServers,
                "schema-registry.url", registryUrl,
                "eventbank.streams.application-id", base,
                "eventbank.streams.state-dir", stateDir.toString(),
                "eventbank.topics.partitions", 3)));
    }

    @AfterEach
    void stopService() {
        if (server != null) {
            server.getApplicationContext().close();
        }
    }

    @Test
    void shouldPublishEveryAccountsLastStateAndCountEveryEventOnceWhenTheSwitchHappensUnderLoad() throws Exception {
        // given: generation 0 has projected the log as it is (other tests' events included) and published totals
        List<String> accounts = new ArrayList<>();
        for (int i = 0; i < ACCOUNTS; i++) {
            accounts.add(UUID.randomUUID().toString());
        }
        Deserializer<BankTotals> totalsDeserializer = AvroSerdes.value(BankTotals.class, registry).deserializer();
        Deserializer<AccountState> stateDeserializer = AvroSerdes.value(AccountState.class, registry).deserializer();
        Map<String, Long> lastVersions = new HashMap<>();
        AtomicLong produced = new AtomicLong();
        Load load = new Load(accounts, lastVersions, produced);
        load.produceRound(); // opens the accounts, so that generation 0 has something to publish before the totals check
        // generation 0 replays the whole shared log first; until it has caught up, the topic's latest totals may be
        // another test's
        CaughtUp.await(bootstrapServers, base, TIMEOUT);
        BankTotals before = awaitTotals(totalsDeserializer, totals -> true);
        awaitStable(totalsDeserializer, before);
        BankTotals settled = latest(BankTotalsProjection.TOPIC, totalsDeserializer).get(BankTotalsProjection.KEY);
        long eventsBeforeLoad = settled.getEventsApplied() - produced.get();

        // when: events keep coming while a rebuild catches up and switches by itself
        Thread loader = new Thread(load, "rebuild-load");
        loader.start();
        String done;
        try {
            Thread.sleep(1000);
            HttpResponse<String> started = post("/admin/rebuild");
            assertEquals(202, started.statusCode(), started.body());
            done = awaitRebuild("DONE");
            Thread.sleep(1000); // and some events after the switch
        } finally {
            // a load left running would keep the next tests' rebuilds from ever seeing a quiet log
            load.stop();
            loader.join(TIMEOUT.toMillis());
        }
        assertNull(load.failure.get(), () -> "the load failed: " + load.failure.get());
        assertTrue(done.contains("\"activeGeneration\":1"), done);

        // then: every account's latest published state is its last event's
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        Map<String, AccountState> states = latest(Topics.STATE.name(), stateDeserializer);
        while (!allAtLastVersion(states, lastVersions) && System.nanoTime() < deadline) {
            Thread.sleep(500);
            states = latest(Topics.STATE.name(), stateDeserializer);
        }
        for (String account : accounts) {
            AccountState state = states.get(account);
            long last = lastVersions.get(account);
            assertEquals(last, state == null ? -1 : state.getVersion(), account);
            // opened with 100.00, then one deposit of 1.00 per version
            BigDecimal expectedBalance = new BigDecimal("100.00").add(BigDecimal.valueOf(last - 1));
            assertEquals(0, expectedBalance.compareTo(state.getBalance()), account + ": " + state.getBalance());
        }
        // then: no account's published state went back to an older version across the switch (an outside consumer
        // reads the topic in order; a re-publish of the same version is fine)
        Map<String, Long> lastSeen = new HashMap<>();
        List<String> wentBack = new ArrayList<>();
        readAll(Topics.STATE.name(), (key, value) -> {
            if (!lastVersions.containsKey(key)) {
                return;
            }
            long version = stateDeserializer.deserialize(Topics.STATE.name(), value).getVersion();
            Long earlier = lastSeen.put(key, version);
            if (earlier != null && version < earlier) {
                wentBack.add(key + ": " + earlier + " then " + version);
            }
        });
        assertEquals(List.of(), wentBack, "published states that went back");
        // then: the rebuilt totals count the log before the load plus every event of the load, each once
        long expected = eventsBeforeLoad + produced.get();
        BankTotals after = awaitTotals(totalsDeserializer, totals -> totals.getEventsApplied() >= expected);
        awaitStable(totalsDeserializer, after);
        assertEquals(expected, latest(BankTotalsProjection.TOPIC, totalsDeserializer)
                .get(BankTotalsProjection.KEY).getEventsApplied());
    }

    /**
     * Deposits of 1.00 to each account in turn (each opened first), each send waiting for its ack, with 5 ms between
     * rounds, until stopped: writes steady enough that some partition has always been written since the rebuild's
     * last commit (the case the strict lag-of-one rule never switched in).
     */
    private final class Load implements Runnable {

        private final List<String> accounts;
        private final Map<String, Long> lastVersions;
        private final AtomicLong produced;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
        private final org.apache.kafka.common.serialization.Serializer<BankAccountEvent> serializer =
                AvroSerdes.value(BankAccountEvent.class, registry).serializer();

        Load(List<String> accounts, Map<String, Long> lastVersions, AtomicLong produced) {
            this.accounts = accounts;
            this.lastVersions = lastVersions;
            this.produced = produced;
        }

        void produceRound() throws Exception {
            for (String account : accounts) {
                long version = lastVersions.getOrDefault(account, 0L) + 1;
                BankAccountEvent event = version == 1 ? Events.opened(account, "100.00")
                        : Events.deposited(account, version, "1.00",
                        new BigDecimal("100.00").add(BigDecimal.valueOf(version - 1)).toPlainString());
                producer.send(new ProducerRecord<>(Topics.EVENTS.name(), account,
                        serializer.serialize(Topics.EVENTS.name(), event))).get();
                lastVersions.put(account, version);
                produced.incrementAndGet();
            }
        }

        @Override
        public void run() {
            try (producer) {
                while (running.get()) {
                    produceRound();
                    Thread.sleep(5);
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        }

        void stop() {
            running.set(false);
        }
    }

    private static boolean allAtLastVersion(Map<String, AccountState> states, Map<String, Long> lastVersions) {
        return lastVersions.entrySet().stream().allMatch(last -> states.get(last.getKey()) != null
                && states.get(last.getKey()).getVersion() == last.getValue());
    }

    private BankTotals awaitTotals(Deserializer<BankTotals> deserializer, java.util.function.Predicate<BankTotals> done)
            throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        BankTotals totals = latest(BankTotalsProjection.TOPIC, deserializer).get(BankTotalsProjection.KEY);
        while ((totals == null || !done.test(totals)) && System.nanoTime() < deadline) {
            Thread.sleep(500);
            totals = latest(BankTotalsProjection.TOPIC, deserializer).get(BankTotalsProjection.KEY);
        }
        if (totals == null || !done.test(totals)) {
            fail("the bank totals did not get there within " + TIMEOUT + ": " + totals);
        }
        return totals;
    }

    /** Waits until the published totals have not changed for two seconds (nothing left in flight). */
    private void awaitStable(Deserializer<BankTotals> deserializer, BankTotals seen) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        long last = seen.getEventsApplied();
        while (System.nanoTime() < deadline) {
            Thread.sleep(2000);
            long now = latest(BankTotalsProjection.TOPIC, deserializer).get(BankTotalsProjection.KEY)
                    .getEventsApplied();
            if (now == last) {
                return;
            }
            last = now;
        }
        fail("the bank totals kept changing for " + TIMEOUT);
    }

    /** The latest value of every key of {@code topic}, read_committed, from the beginning to the end now. */
    private <T> Map<String, T> latest(String topic, Deserializer<T> deserializer) {
        Map<String, T> values = new HashMap<>();
        readAll(topic, (key, value) -> values.put(key, deserializer.deserialize(topic, value)));
        return values;
    }

    private void readAll(String topic, BiConsumer<String, byte[]> each) {
        TestTopics.readToEnd(bootstrapServers, topic, TIMEOUT).stream()
                .filter(record -> record.key() != null && record.value() != null)
                .forEach(record -> each.accept(record.key(), record.value()));
    }

    private String awaitRebuild(String state) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        String status = get("/admin/rebuild").body();
        while (!status.contains("\"state\":\"" + state + "\"") && System.nanoTime() < deadline) {
            assertTrue(!status.contains("\"state\":\"FAILED\"") && !status.contains("\"state\":\"CANCELLED\""), status);
            Thread.sleep(200);
            status = get("/admin/rebuild").body();
        }
        assertTrue(status.contains("\"state\":\"" + state + "\""), status);
        return status;
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + server.getPort() + path))
                .header("Authorization", TestSecurity.authorizationFor(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + server.getPort() + path))
                .header("Authorization", TestSecurity.authorizationFor(path))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }
}
