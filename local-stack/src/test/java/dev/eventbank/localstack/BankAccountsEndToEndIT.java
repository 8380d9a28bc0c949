package dev.eventbank.localstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbank.localkafka.KafkaCredentials;
import dev.eventbank.schemas.AvroDecimals;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.common.AccountType;
import dev.eventbank.schemas.events.AccountOpened;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.events.MoneyWithdrawn;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole system as a user runs it: the local stack (real broker, registry, three services as separate
 * JVMs) driven over HTTP, with the event log read back through the registry like another team would.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BankAccountsEndToEndIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    /** A loaded 2-core CI machine can take seconds for a first command; the test is about outcomes, not speed. */
    private static final Map<String, String> SLOW_MACHINE = Map.of("eventbank.commands.reply-timeout", "30s");

    private static Path dataDir;
    private static LocalStack stack;
    private static String accountId;

    @BeforeAll
    static void startStack() throws IOException {
        dataDir = TestStacks.dataDir("BankAccountsEndToEndIT");
        stack = LocalStack.start(TestStacks.home(), dataDir, StackPorts.free(), 3, SLOW_MACHINE, System.out);
        printResidentMemory();
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void shouldOpenDepositWithdrawAndReadBackWithReadYourWrites() throws Exception {
        // given
        HttpResponse<String> opened = post(stack.commandUrl() + "/accounts",
                "{\"owner\":\"Ada Lovelace\",\"currency\":\"EUR\",\"initialDeposit\":\"100.00\"}");
        assertEquals(201, opened.statusCode(), opened.body());
        accountId = JSON.readTree(opened.body()).path("accountId").asText();
        assertEquals("\"1\"", opened.headers().firstValue("ETag").orElse(null));
        assertTrue(opened.headers().firstValue("Location").orElse("").endsWith("/accounts/" + accountId));

        // when
        HttpResponse<String> deposited = post(stack.commandUrl() + "/accounts/" + accountId + "/deposits", "{\"amount\":\"50.25\"}");
        HttpResponse<String> withdrawn = post(stack.commandUrl() + "/accounts/" + accountId + "/withdrawals", "{\"amount\":\"30.25\"}");

        // then
        assertEquals(200, deposited.statusCode(), deposited.body());
        assertEquals(2, JSON.readTree(deposited.body()).path("version").asLong());
        assertEquals(200, withdrawn.statusCode(), withdrawn.body());
        assertEquals("\"3\"", withdrawn.headers().firstValue("ETag").orElse(null));
        JsonNode account = JSON.readTree(get(stack.queryUrl() + "/accounts/" + accountId + "?minVersion=3").body());
        assertEquals(3, account.path("version").asLong());
        assertEquals(0, new BigDecimal("120.00").compareTo(new BigDecimal(account.path("balance").asText())));
        assertEquals("OPEN", account.path("status").asText());
        assertEquals("Ada Lovelace", account.path("owner").asText());
    }

    @Test
    @Order(1)
    void shouldAnswerReadYourWritesFromTheFreshFoldBeforeTheViewHasTheVersion() throws Exception {
        // given
        HttpResponse<String> opened = post(stack.commandUrl() + "/accounts",
                "{\"owner\":\"Grace Hopper\",\"currency\":\"EUR\",\"initialDeposit\":\"1.00\"}");
        assertEquals(201, opened.statusCode(), opened.body());
        String account = JSON.readTree(opened.body()).path("accountId").asText();
        long servedBefore = lookupsAnsweredByTheFreshFold();

        // when: each command's version is read back right after its 2xx, before it can have reached the view
        for (int version = 2; version <= 6; version++) {
            HttpResponse<String> deposited = post(stack.commandUrl() + "/accounts/" + account + "/deposits", "{\"amount\":\"1.00\"}");
            assertEquals(200, deposited.statusCode(), deposited.body());
            HttpResponse<String> read = get(stack.queryUrl() + "/accounts/" + account + "?minVersion=" + version);
            assertEquals(200, read.statusCode(), read.body());
            assertEquals(version, JSON.readTree(read.body()).path("version").asLong());
            assertEquals(0, BigDecimal.valueOf(version).compareTo(new BigDecimal(JSON.readTree(read.body()).path("balance").asText())));
        }

        // then: the query service's fresh fold (its own read_committed consumer of the event log, with the query
        // service's Kafka principal and ACLs) answered some of them before the projection's state reached the view
        assertTrue(lookupsAnsweredByTheFreshFold() > servedBefore,
                "no read-your-writes read was answered by the query service's fresh fold");
    }

    /** Lookups the query service answered with its fresh fold's state so far, from its Prometheus scrape. */
    private static long lookupsAnsweredByTheFreshFold() throws Exception {
        String scrape = HTTP.send(HttpRequest.newBuilder(URI.create(stack.queryUrl() + "/prometheus")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return Math.round(scrape.lines()
                .filter(line -> line.startsWith("eventbank_query_fresh_fold_answers_total"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum());
    }

    @Test
    @Order(2)
    void shouldRejectInsufficientFundsAndBadInputWithProblemsAndAppendNothing() throws Exception {
        // when
        HttpResponse<String> overdraw = post(stack.commandUrl() + "/accounts/" + accountId + "/withdrawals", "{\"amount\":\"1000.00\"}");
        HttpResponse<String> malformed = post(stack.commandUrl() + "/accounts/" + accountId + "/deposits", "{\"amount\":");
        HttpResponse<String> negative = post(stack.commandUrl() + "/accounts/" + accountId + "/deposits", "{\"amount\":\"-5\"}");

        // then
        assertEquals(422, overdraw.statusCode(), overdraw.body());
        assertTrue(overdraw.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
        assertEquals("/problems/insufficient-funds", JSON.readTree(overdraw.body()).path("type").asText(), overdraw.body());
        assertTrue(JSON.readTree(overdraw.body()).path("detail").asText().contains("does not cover"), overdraw.body());
        for (HttpResponse<String> bad : List.of(malformed, negative)) {
            assertEquals(400, bad.statusCode(), bad.body());
            assertTrue(bad.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
            assertTrue(!JSON.readTree(bad.body()).path("detail").asText().isBlank(), bad.body());
        }
        List<BankAccountEvent> events = EventLog.eventsOf(stack, accountId);
        assertEquals(List.of(1L, 2L, 3L), events.stream().map(BankAccountEvent::getVersion).toList());
    }

    @Test
    @Order(3)
    void shouldPublishEventsThatDecodeThroughTheRegistry() throws Exception {
        // when
        List<BankAccountEvent> events = EventLog.eventsOf(stack, accountId);

        // then
        assertEquals(List.of("AccountOpened", "MoneyDeposited", "MoneyWithdrawn"),
                events.stream().map(BankAccountEvent::getEventType).toList());
        MoneyWithdrawn withdrawal = (MoneyWithdrawn) events.get(2).getPayload();
        assertEquals(0, new BigDecimal("30.25").compareTo(withdrawal.getAmount()));
        assertEquals(0, new BigDecimal("120.00").compareTo(withdrawal.getBalanceAfter()));
        JsonNode subjects = JSON.readTree(get(stack.registryUrl() + "/subjects").body());
        assertTrue(subjects.toString().contains(Topics.EVENTS.valueSubject()), subjects.toString());
    }

    @Test
    @Order(4)
    void shouldListAccountsFromTheQueryService() throws Exception {
        JsonNode page = JSON.readTree(get(stack.queryUrl() + "/accounts?limit=10").body());
        assertTrue(page.path("items").toString().contains(accountId), page.toString());
    }

    @Test
    @Order(5)
    void shouldServeTheAccountsHistoryAndItsStateAsItWas() throws Exception {
        // when
        JsonNode history = JSON.readTree(get(stack.queryUrl() + "/accounts/" + accountId + "/events").body());
        HttpResponse<String> atVersion2 = get(stack.queryUrl() + "/accounts/" + accountId + "?asOfVersion=2");

        // then
        List<String> types = new ArrayList<>();
        history.path("items").forEach(item -> types.add(item.path("version").asLong() + ":" + item.path("eventType").asText()));
        assertEquals(List.of("1:AccountOpened", "2:MoneyDeposited", "3:MoneyWithdrawn"), types, history.toString());
        assertEquals(200, atVersion2.statusCode(), atVersion2.body());
        assertEquals(0, new BigDecimal("150.25").compareTo(new BigDecimal(JSON.readTree(atVersion2.body()).path("balance").asText())));
    }

    @Test
    @Order(5)
    void shouldShowEachWriteInHistoryAndTimeTravelReadRightAfterIts2xx() throws Exception {
        // given: an account of its own
        HttpResponse<String> opened = post(stack.commandUrl() + "/accounts",
                "{\"owner\":\"Read Your History\",\"currency\":\"EUR\",\"initialDeposit\":\"1.00\"}");
        assertEquals(201, opened.statusCode(), opened.body());
        String account = JSON.readTree(opened.body()).path("accountId").asText();
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> deposited = post(stack.commandUrl() + "/accounts/" + account + "/deposits",
                    "{\"amount\":\"1.00\"}");
            assertEquals(200, deposited.statusCode(), deposited.body());
            long version = JSON.readTree(deposited.body()).path("version").asLong();

            // when: read at once, no retry (the projection folds a write some ms after its 2xx); the history with the
            // answer's version as minVersion, time travel to that version (which waits for it by itself)
            JsonNode history = JSON.readTree(get(stack.queryUrl() + "/accounts/" + account + "/events?fromVersion="
                    + version + "&minVersion=" + version).body());
            HttpResponse<String> asItWas = get(stack.queryUrl() + "/accounts/" + account + "?asOfVersion=" + version);
            HttpResponse<String> atNow = get(stack.queryUrl() + "/accounts/" + account + "?asOf="
                    + java.time.Instant.now() + "&minVersion=" + version);

            // then
            assertEquals(version, history.path("items").path(0).path("version").asLong(), history.toString());
            assertEquals(200, asItWas.statusCode(), asItWas.body());
            assertEquals(version, JSON.readTree(asItWas.body()).path("version").asLong(), asItWas.body());
            assertEquals(200, atNow.statusCode(), atNow.body());
            assertEquals(version, JSON.readTree(atNow.body()).path("version").asLong(), atNow.body());
        }
    }

    @Test
    @Order(6)
    void shouldShowEmailAndAccountTypeInTheAccountItsPastStateAndTheListingFilteredByType() throws Exception {
        // given: one owner's savings account with an e-mail address and checking account without one
        String owner = "Grace Hopper " + UUID.randomUUID();
        HttpResponse<String> savingsOpened = post(stack.commandUrl() + "/accounts", "{\"owner\":\"" + owner
                + "\",\"currency\":\"USD\",\"initialDeposit\":\"10\",\"email\":\"grace@example.com\",\"accountType\":\"SAVINGS\"}");
        HttpResponse<String> checkingOpened = post(stack.commandUrl() + "/accounts", "{\"owner\":\"" + owner
                + "\",\"currency\":\"USD\",\"initialDeposit\":\"5\"}");
        assertEquals(201, savingsOpened.statusCode(), savingsOpened.body());
        assertEquals(201, checkingOpened.statusCode(), checkingOpened.body());
        String savings = JSON.readTree(savingsOpened.body()).path("accountId").asText();
        String checking = JSON.readTree(checkingOpened.body()).path("accountId").asText();

        // when
        JsonNode savingsAccount = JSON.readTree(get(stack.queryUrl() + "/accounts/" + savings + "?minVersion=1").body());
        JsonNode checkingAccount = JSON.readTree(get(stack.queryUrl() + "/accounts/" + checking + "?minVersion=1").body());
        JsonNode savingsAsItWas = JSON.readTree(get(stack.queryUrl() + "/accounts/" + savings + "?asOfVersion=1").body());
        String byOwner = "/accounts?owner=" + URLEncoder.encode(owner, StandardCharsets.UTF_8);
        // a listing reads the view only (no minVersion): it shows the accounts once the projection has published
        // them, a moment after the fresh fold answered the reads above (README, Consistency model)
        JsonNode savingsPage = listingOnceItHas(1, stack.queryUrl() + byOwner + "&accountType=SAVINGS");
        JsonNode checkingPage = listingOnceItHas(1, stack.queryUrl() + byOwner + "&accountType=checking");

        // then
        assertEquals("SAVINGS", savingsAccount.path("accountType").asText(), savingsAccount.toString());
        assertEquals("grace@example.com", savingsAccount.path("email").asText(), savingsAccount.toString());
        assertEquals("CHECKING", checkingAccount.path("accountType").asText(), checkingAccount.toString());
        assertTrue(checkingAccount.has("email") && checkingAccount.path("email").isNull(), checkingAccount.toString());
        assertEquals("SAVINGS", savingsAsItWas.path("accountType").asText(), savingsAsItWas.toString());
        assertEquals("grace@example.com", savingsAsItWas.path("email").asText(), savingsAsItWas.toString());
        assertEquals(1, savingsPage.path("items").size(), savingsPage.toString());
        assertEquals(savings, savingsPage.path("items").get(0).path("accountId").asText());
        assertEquals("grace@example.com", savingsPage.path("items").get(0).path("email").asText());
        assertEquals(1, checkingPage.path("items").size(), checkingPage.toString());
        assertEquals(checking, checkingPage.path("items").get(0).path("accountId").asText());
    }

    @Test
    @Order(6)
    void shouldStartEveryServiceWithoutLogbacksStatusDump() throws Exception {
        // logback prints its whole configuration status (some 20 "|-INFO in ch.qos.logback" lines) when the
        // configuration has a WARN, such as an appender nothing refers to
        for (String service : List.of("schema-registry", "command-service", "projection-service", "query-service")) {
            List<String> lines = Files.readAllLines(dataDir.resolve("logs").resolve(service + ".log"));
            assertTrue(lines.stream().noneMatch(line -> line.contains("in ch.qos.logback")),
                    service + " printed logback's status: " + lines.stream().filter(line -> line.contains("ch.qos.logback"))
                            .findFirst().orElse(""));
        }
    }

    @Test
    @Order(7)
    void shouldFindTheAccountAgainAfterARestartOnTheSameDataDirectory() throws Exception {
        // given
        stack.close();

        // when
        stack = LocalStack.start(TestStacks.home(), dataDir, StackPorts.free(), 3, SLOW_MACHINE, System.out);

        // then
        HttpResponse<String> response = get(stack.queryUrl() + "/accounts/" + accountId + "?minVersion=3");
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(3, JSON.readTree(response.body()).path("version").asLong());
        HttpResponse<String> deposited = post(stack.commandUrl() + "/accounts/" + accountId + "/deposits", "{\"amount\":\"1.00\"}");
        assertEquals(200, deposited.statusCode(), deposited.body());
        assertEquals(4, JSON.readTree(deposited.body()).path("version").asLong());
    }

    @Test
    @Order(8)
    void shouldServeBankTotalsPastTenToTheEighteenExactlyAndKeepSummingLaterEvents() throws Exception {
        // given: three CHF accounts written to the log directly (the command service caps a balance at 10^15, the
        // projection takes any balance within decimal(22,4)), each under 10^18, together past it
        List<BankAccountEvent> large = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            large.add(openedChf(UUID.randomUUID().toString(), "999999999999999999.99"));
        }
        String later = UUID.randomUUID().toString();

        // when: the large accounts, then one more account behind them
        produce(large);
        produce(List.of(openedChf(later, "0.03")));

        // then: the query service renders the exact sum, including the later event, as a plain decimal string
        String expected = "\"CHF\":\"3000000000000000000.00\"";
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        HttpResponse<String> totals = get(stack.queryUrl() + "/bank/totals");
        while (!totals.body().contains(expected) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            totals = get(stack.queryUrl() + "/bank/totals");
        }
        assertEquals(200, totals.statusCode(), totals.body());
        assertTrue(totals.body().contains(expected), totals.body());
        assertEquals("3000000000000000000.00", JSON.readTree(totals.body()).path("balances").path("CHF").textValue());
    }

    /** Writes {@code events} to the event log as the stack's super user, through the stack's registry. */
    private static void produce(List<BankAccountEvent> events) throws Exception {
        var registry = SchemaRegistryClients.forConfig(stack.registryWriterConfig());
        var serializer = AvroSerdes.value(BankAccountEvent.class, registry).serializer();
        Map<String, Object> config = stack.kafkaClientProperties(KafkaCredentials.ADMIN);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        try (var producer = new KafkaProducer<>(config,
                new StringSerializer(),
                new ByteArraySerializer())) {
            for (BankAccountEvent event : events) {
                producer.send(new ProducerRecord<>(Topics.EVENTS.name(),
                        event.getAggregateId(), serializer.serialize(Topics.EVENTS.name(), event))).get();
            }
        }
    }

    private static BankAccountEvent openedChf(String accountId, String initialDeposit) {
        return BankAccountEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setAggregateId(accountId)
                .setAggregateType("BankAccount").setVersion(1).setEventType("AccountOpened")
                .setOccurredAt(Instant.now()).setCommandId(UUID.randomUUID().toString())
                .setCorrelationId(UUID.randomUUID().toString())
                .setPayload(AccountOpened.newBuilder()
                        .setAccountNumber("CH00EVBK" + accountId.substring(0, 8)).setOwner("Large Holder")
                        .setCurrency("CHF").setInitialDeposit(AvroDecimals.toWire(new BigDecimal(initialDeposit)))
                        .setAccountType(AccountType.CHECKING).build())
                .build();
    }

    private static HttpResponse<String> post(String url, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", TestStacks.tellerAuthorization())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                        .header("Authorization", TestStacks.tellerAuthorization()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }


    private static void printResidentMemory() throws IOException {
        for (Map.Entry<String, Long> entry : stack.pids().entrySet()) {
            Path status = Path.of("/proc", String.valueOf(entry.getValue()), "status");
            if (Files.exists(status)) {
                String rss = Files.readAllLines(status).stream().filter(l -> l.startsWith("VmRSS")).findFirst().orElse("?");
                System.out.printf("local-stack: %s pid=%d %s%n", entry.getKey(), entry.getValue(), rss.replaceAll("\\s+", " "));
            }
        }
    }

    /** The listing at {@code url} once it has {@code items} items, or as it is after 10 s. */
    private static JsonNode listingOnceItHas(int items, String url) throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        JsonNode page = JSON.readTree(get(url).body());
        while (page.path("items").size() < items && System.nanoTime() < deadline) {
            Thread.sleep(50);
            page = JSON.readTree(get(url).body());
        }
        return page;
    }
}
