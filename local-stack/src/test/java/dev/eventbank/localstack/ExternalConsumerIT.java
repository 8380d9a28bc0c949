package dev.eventbank.localstack;

import dev.eventbank.localkafka.KafkaCredentials;
import dev.eventbank.localkafka.KafkaPrincipals;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Another team's consumer, in another language, without our code: the Node.js example in examples/node-consumer
 * (kafkajs + @kafkajs/confluent-schema-registry) reads bank-account-events from the running local stack through
 * the registry and prints the events the command service wrote, version 2 fields included.
 *
 * And kcat, another independent client, proves the broker's ACLs: only the command service's principal writes
 * bank-account-events; another team's, another service's and an anonymous producer are refused and append nothing.
 *
 * <p>Needs node and npm on the PATH (skipped otherwise) and the npm registry for {@code npm ci} (or a warm cache);
 * kcat for the second test (skipped otherwise; bin/test installs it).
 */
class ExternalConsumerIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private static final Map<String, String> SLOW_MACHINE = Map.of("eventbank.commands.reply-timeout", "30s");

    private static Path dataDir;
    private static LocalStack stack;

    @BeforeAll
    static void startStack() throws IOException {
        dataDir = TestStacks.dataDir("ExternalConsumerIT");
        stack = LocalStack.start(TestStacks.home(), dataDir, StackPorts.free(), 3, SLOW_MACHINE, System.out);
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldPrintOurEventsWithVersion2FieldsWhenTheNodeConsumerReadsThroughTheRegistry() throws Exception {
        assumeTrue(onPath("node") && onPath("npm"), "node and npm are needed for the example consumer");
        // given an account opened and fed with the version 2 fields, and one opened as an old client does
        HttpResponse<String> opened = post("/accounts", "{\"owner\":\"Grace Hopper\",\"currency\":\"USD\","
                + "\"initialDeposit\":\"10.00\",\"email\":\"grace@example.com\",\"accountType\":\"SAVINGS\"}");
        assertEquals(201, opened.statusCode(), opened.body());
        String grace = JSON.readTree(opened.body()).path("accountId").asText();
        HttpResponse<String> deposited = post("/accounts/" + grace + "/deposits",
                "{\"amount\":\"25.50\",\"reference\":\"invoice 42\"}");
        assertEquals(200, deposited.statusCode(), deposited.body());
        HttpResponse<String> old = post("/accounts", "{\"owner\":\"Ada Lovelace\",\"currency\":\"EUR\",\"initialDeposit\":\"1\"}");
        assertEquals(201, old.statusCode(), old.body());
        String ada = JSON.readTree(old.body()).path("accountId").asText();
        // and bad input for the new fields is a 400 that says what is wrong
        HttpResponse<String> badEmail = post("/accounts", "{\"owner\":\"X\",\"currency\":\"EUR\",\"initialDeposit\":\"1\","
                + "\"email\":\"not-an-address\"}");
        assertEquals(400, badEmail.statusCode(), badEmail.body());
        assertTrue(JSON.readTree(badEmail.body()).path("detail").asText().startsWith("email must be an e-mail address"),
                badEmail.body());
        HttpResponse<String> longReference = post("/accounts/" + grace + "/deposits",
                "{\"amount\":\"1\",\"reference\":\"" + "x".repeat(141) + "\"}");
        assertEquals(400, longReference.statusCode(), longReference.body());
        assertEquals("reference must be at most 140 characters, got 141",
                JSON.readTree(longReference.body()).path("detail").asText());
        // and the timeline shows them (once the state is at version 2, the history store, written in the same
        // transaction, has both events)
        assertEquals(200, get(stack.queryUrl() + "/accounts/" + grace + "?minVersion=2").statusCode());
        JsonNode history = JSON.readTree(get(stack.queryUrl() + "/accounts/" + grace + "/events?fromVersion=1&limit=10").body());
        assertEquals("SAVINGS", history.path("items").path(0).path("payload").path("accountType").asText(), history.toString());
        assertEquals("invoice 42", history.path("items").path(1).path("payload").path("reference").asText(), history.toString());

        // and a record in the log that cannot be decoded (a schema id the registry does not hold), as a mistake of an
        // operator with write access would leave: the example skips it rather than stop on it for good
        try (org.apache.kafka.clients.producer.KafkaProducer<String, byte[]> producer =
                     new org.apache.kafka.clients.producer.KafkaProducer<>(stack.kafkaClientProperties(KafkaCredentials.ADMIN),
                             new org.apache.kafka.common.serialization.StringSerializer(),
                             new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("bank-account-events", "not-an-account",
                    new byte[] {0, 0x7f, 0x7f, 0x7f, 0x7f, 2, 4})).get(30, TimeUnit.SECONDS);
        }

        // when
        Path example = TestStacks.home().resolve("examples/node-consumer");
        run(example, Map.of(), Duration.ofMinutes(3), "npm", "ci", "--no-audit", "--no-fund");
        Map<String, String> environment = Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers(),
                // another team's principal: it may read the public topics and nothing else (KafkaPrincipals)
                "KAFKA_SASL_USERNAME", KafkaPrincipals.READER,
                "KAFKA_SASL_PASSWORD", KafkaCredentials.inDirectory(stack.dataDir().resolve("security"),
                        KafkaPrincipals.ALL).password(KafkaPrincipals.READER),
                "SCHEMA_REGISTRY_URL", stack.registryUrl(),
                "EXIT_AFTER_IDLE_MS", "5000");
        String output = run(example, environment, Duration.ofMinutes(2), "node", "consumer.js");
        // the read model too, with the same example (it printed "undefined v1 undefined undefined")
        Map<String, String> stateTopic = new java.util.HashMap<>(environment);
        stateTopic.put("TOPIC", "bank-account-state");
        String states = run(example, stateTopic, Duration.ofMinutes(2), "node", "consumer.js");

        // then
        List<String> lines = output.lines().toList();
        assertTrue(lines.stream().anyMatch(line -> line.startsWith(grace + " v1 AccountOpened ")
                && line.contains("\"owner\":\"Grace Hopper\"") && line.contains("\"email\":\"grace@example.com\"")
                && line.contains("\"accountType\":\"SAVINGS\"") && line.contains("\"initialDeposit\":\"10.0000\"")), output);
        assertTrue(lines.stream().anyMatch(line -> line.startsWith(grace + " v2 MoneyDeposited ")
                && line.contains("\"amount\":\"25.5000\"") && line.contains("\"reference\":\"invoice 42\"")), output);
        assertTrue(lines.stream().anyMatch(line -> line.startsWith(ada + " v1 AccountOpened ")
                && line.contains("\"email\":null") && line.contains("\"accountType\":\"CHECKING\"")), output);
        assertTrue(states.lines().anyMatch(line -> line.startsWith(grace + " v2 ") && line.contains("\"balance\":\"35.5")
                && line.contains("\"owner\":\"Grace Hopper\"")), states);
        assertTrue(states.lines().noneMatch(line -> line.contains("undefined")), states);
        String errors = Files.readString(dataDir.resolve("external-consumer-stderr.log"));
        assertTrue(errors.contains("node-consumer: skipped an undecodable record") && errors.contains("not found"), errors);
        // times as the REST API shows them, from the schema's timestamp-millis (they were numbers of milliseconds)
        assertTrue(states.lines().filter(line -> line.startsWith(grace + " v2 ")).allMatch(line ->
                line.matches(".*\"openedAt\":\"\\d{4}-\\d{2}-\\d{2}T[0-9:.]+Z\".*")
                        && line.matches(".*\"updatedAt\":\"\\d{4}-\\d{2}-\\d{2}T[0-9:.]+Z\".*")), states);
    }

    @Test
    void shouldLetOnlyTheCommandServiceWriteTheEventLogWhenAnotherClientTriesWithKcat() throws Exception {
        assumeTrue(onPath("kcat"), "kcat (Debian package kcat) is needed for this test");
        // given an event in the log, and the log's end offsets
        HttpResponse<String> opened = post("/accounts", "{\"owner\":\"Kcat Reader\",\"currency\":\"EUR\",\"initialDeposit\":\"5\"}");
        assertEquals(201, opened.statusCode(), opened.body());
        String account = JSON.readTree(opened.body()).path("accountId").asText();
        long before = eventLogEnd();
        KafkaCredentials credentials = KafkaCredentials.inDirectory(stack.dataDir().resolve("security"), KafkaPrincipals.ALL);

        // when kcat, another program entirely, writes as another team's principal, as another service's, and as nobody
        for (String principal : List.of(KafkaPrincipals.READER, KafkaPrincipals.PROJECTION_SERVICE)) {
            KcatResult refused = kcat("rogue-event\n", sasl(principal, credentials.password(principal)),
                    "-P", "-t", "bank-account-events", "-k", account);
            assertTrue(refused.exit() != 0, principal + " wrote to the event log:\n" + refused.output());
            // refused by the ACLs, not for failing to log in
            assertTrue(refused.output().contains("authorization failed"), principal + ":\n" + refused.output());
        }
        KcatResult anonymous = kcat("rogue-event\n", List.of(), "-P", "-t", "bank-account-events", "-k", account);
        assertTrue(anonymous.exit() != 0, "a client without credentials wrote to the event log:\n" + anonymous.output());

        // then nothing of theirs reached the log, and the reader still reads it
        assertEquals(before, eventLogEnd(), "records appended by a refused producer");
        KcatResult read = kcat("", sasl(KafkaPrincipals.READER, credentials.password(KafkaPrincipals.READER)),
                "-C", "-t", "bank-account-events", "-o", "beginning", "-e", "-f", "%k\\n", "-X", "isolation.level=read_committed");
        assertEquals(0, read.exit(), read.output());
        assertTrue(read.output().lines().anyMatch(account::equals), read.output());
    }

    private record KcatResult(int exit, String output) {
    }

    /**
     * SASL/PLAIN: Debian's kcat links librdkafka 2.0.2, whose SCRAM Kafka 4.x refuses (fixed in librdkafka 2.6.1,
     * confluentinc/librdkafka#4895); the principal, and so the ACLs, are the same whichever mechanism proves it.
     */
    private static List<String> sasl(String user, String password) {
        return List.of("-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=PLAIN",
                "-X", "sasl.username=" + user, "-X", "sasl.password=" + password);
    }

    /** kcat against the stack's broker, bounded: librdkafka gives up on a message after 10 s. */
    private static KcatResult kcat(String input, List<String> auth, String... arguments) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("kcat", "-b", stack.bootstrapServers(),
                "-X", "message.timeout.ms=10000", "-X", "socket.timeout.ms=5000"));
        command.addAll(auth);
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("kcat did not finish: " + new String(output, StandardCharsets.UTF_8));
        }
        return new KcatResult(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    /** The sum of the event log's end offsets, read as the stack's super user. */
    private static long eventLogEnd() throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                stack.kafkaClientProperties(KafkaCredentials.ADMIN))) {
            var partitions = admin.describeTopics(List.of("bank-account-events")).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get("bank-account-events").partitions().stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition("bank-account-events", p.partition()))
                    .collect(java.util.stream.Collectors.toMap(p -> p, p -> org.apache.kafka.clients.admin.OffsetSpec.latest()));
            return admin.listOffsets(partitions).all().get(30, TimeUnit.SECONDS).values().stream()
                    .mapToLong(org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
        }
    }

    /** Runs a command in {@code dir}, bounded by {@code timeout}; its stdout, or a failure with its output. */
    private static String run(Path dir, Map<String, String> env, Duration timeout, String... command) throws Exception {
        Path log = Files.createTempFile(dataDir, "external-consumer-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectErrorStream(false)
                .redirectOutput(log.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(dataDir.resolve("external-consumer-stderr.log").toFile()));
        builder.environment().putAll(env);
        Process process = builder.start();
        boolean exited = process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
        String output = Files.readString(log, StandardCharsets.UTF_8);
        String errors = Files.exists(dataDir.resolve("external-consumer-stderr.log"))
                ? Files.readString(dataDir.resolve("external-consumer-stderr.log")) : "";
        if (!exited) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout
                    + "\nstdout:\n" + output + "\nstderr:\n" + errors);
        }
        assertEquals(0, process.exitValue(), String.join(" ", command) + " failed\nstdout:\n" + output
                + "\nstderr:\n" + errors);
        System.out.print(output);
        System.out.print(errors);
        return output;
    }

    private static boolean onPath(String program) {
        try {
            return new ProcessBuilder(program, "--version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(stack.commandUrl() + path)).timeout(Duration.ofSeconds(40))
                .header("Authorization", TestStacks.tellerAuthorization())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                        .header("Authorization", TestStacks.tellerAuthorization()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

}
