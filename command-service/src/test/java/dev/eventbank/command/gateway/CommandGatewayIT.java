package dev.eventbank.command.gateway;

import dev.eventbank.localkafka.LocalKafkaBroker;
import dev.eventbank.schemas.AvroDecimals;
import dev.eventbank.schemas.catalog.TopicProvisioner;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.commands.BankAccountCommand;
import dev.eventbank.schemas.commands.CommandOutcome;
import dev.eventbank.schemas.commands.CommandResult;
import dev.eventbank.schemas.commands.DepositMoney;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway and the results listener on a real broker, with this test in the processor's place: it writes the
 * command results itself, in Kafka transactions, to show what a waiting caller is (and is not) told.
 */
class CommandGatewayIT {

    private static final SchemaRegistryClient REGISTRY = SchemaRegistryClients.forUrl("mock://gateway-it-" + UUID.randomUUID());

    private static RecentResults recent;
    private static CommandResultsListener listener;
    private static CommandGateway gateway;
    private static KafkaProducer<String, CommandResult> processor;

    @BeforeAll
    static void start() {
        String bootstrapServers = LocalKafkaBroker.shared().bootstrapServers();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            new TopicProvisioner(admin, 3, (short) 1).ensure(Topics.COMMAND_SIDE);
        }
        recent = new RecentResults(100);
        listener = new CommandResultsListener(bootstrapServers, 100,
                AvroSerdes.value(CommandResult.class, REGISTRY).deserializer(), recent);
        gateway = new CommandGateway(bootstrapServers, AvroSerdes.value(BankAccountCommand.class, REGISTRY).serializer(),
                listener, recent);
        processor = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "gateway-it-" + UUID.randomUUID()),
                new StringSerializer(), AvroSerdes.value(CommandResult.class, REGISTRY).serializer());
        processor.initTransactions();
    }

    @AfterAll
    static void stop() {
        processor.close();
        gateway.close();
        listener.close();
    }

    @Test
    void shouldCompleteWithTheResultWhenItsTransactionCommits() throws Exception {
        // given
        BankAccountCommand command = deposit("fp-1");
        CompletableFuture<Optional<CommandResult>> reply = gateway.send(command, Duration.ofSeconds(10));

        // when
        answer(command, "fp-1", CommandOutcome.ACCEPTED, true);

        // then
        CommandResult result = reply.get(10, TimeUnit.SECONDS).orElseThrow();
        assertEquals(CommandOutcome.ACCEPTED, result.getOutcome());
        assertEquals(command.getCommandId(), result.getCommandId());
    }

    @Test
    void shouldNeverAnswerFromAnAbortedTransaction() throws Exception {
        // given
        BankAccountCommand command = deposit("fp-2");
        CompletableFuture<Optional<CommandResult>> reply = gateway.send(command, Duration.ofSeconds(2));

        // when
        answer(command, "fp-2", CommandOutcome.ACCEPTED, false);

        // then
        assertTrue(reply.get(10, TimeUnit.SECONDS).isEmpty());
        assertTrue(recent.result(command.getCommandId()).isEmpty());
    }

    @Test
    void shouldMarkTheCommandPendingOnTimeoutAndKeepItsLaterResult() throws Exception {
        // given
        BankAccountCommand command = deposit("fp-3");

        // when
        Optional<CommandResult> reply = gateway.send(command, Duration.ofMillis(100)).get(10, TimeUnit.SECONDS);

        // then
        assertTrue(reply.isEmpty());
        assertTrue(recent.isPending(command.getCommandId()));

        // when
        answer(command, "fp-3", CommandOutcome.ACCEPTED, true);

        // then
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (recent.result(command.getCommandId()).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(CommandOutcome.ACCEPTED, recent.result(command.getCommandId()).orElseThrow().getOutcome());
        assertFalse(recent.isPending(command.getCommandId()));
    }

    @Test
    void shouldAnswerEachRequestWithItsOwnResultWhenTwoShareACommandId() throws Exception {
        // given: the same command id, sent with two different request bodies
        BankAccountCommand first = deposit("fp-first");
        BankAccountCommand second = BankAccountCommand.newBuilder(first).setFingerprint("fp-second").build();
        CompletableFuture<Optional<CommandResult>> firstReply = gateway.send(first, Duration.ofSeconds(10));
        CompletableFuture<Optional<CommandResult>> secondReply = gateway.send(second, Duration.ofSeconds(10));

        // when
        answer(first, "fp-first", CommandOutcome.ACCEPTED, true);
        answer(second, "fp-second", CommandOutcome.KEY_REUSED, true);

        // then
        assertEquals(CommandOutcome.ACCEPTED, firstReply.get(10, TimeUnit.SECONDS).orElseThrow().getOutcome());
        assertEquals(CommandOutcome.KEY_REUSED, secondReply.get(10, TimeUnit.SECONDS).orElseThrow().getOutcome());
        assertEquals(CommandOutcome.ACCEPTED, recent.result(first.getCommandId()).orElseThrow().getOutcome());
    }

    @Test
    void shouldReportReadyOncePositioned() {
        assertTrue(listener.isReady());
    }

    private static void answer(BankAccountCommand command, String fingerprint, CommandOutcome outcome, boolean commit) {
        CommandResult result = CommandResult.newBuilder()
                .setCommandId(command.getCommandId())
                .setAccountId(command.getAccountId())
                .setOutcome(outcome)
                .setVersion(1)
                .setEventCount(outcome == CommandOutcome.ACCEPTED ? 1 : 0)
                .setRejectionCode(null)
                .setDetail(null)
                .setCompletedAt(Instant.now())
                .build();
        ProducerRecord<String, CommandResult> record = new ProducerRecord<>(Topics.COMMAND_RESULTS.name(),
                command.getAccountId(), result);
        record.headers().add(CommandResultsListener.FINGERPRINT_HEADER, fingerprint.getBytes(StandardCharsets.UTF_8));
        processor.beginTransaction();
        processor.send(record);
        if (commit) {
            processor.commitTransaction();
        } else {
            processor.flush();
            processor.abortTransaction();
        }
    }

    private static BankAccountCommand deposit(String fingerprint) {
        return BankAccountCommand.newBuilder()
                .setCommandId(UUID.randomUUID().toString())
                .setAccountId(UUID.randomUUID().toString())
                .setExpectedVersion(null)
                .setCorrelationId(UUID.randomUUID().toString())
                .setIdempotencyKey(null)
                .setFingerprint(fingerprint)
                .setIssuedAt(Instant.now())
                .setPayload(new DepositMoney(AvroDecimals.toWire(BigDecimal.ONE), null))
                .build();
    }
}
