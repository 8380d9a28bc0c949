package dev.eventbank.command.processor;

import dev.eventbank.schemas.catalog.Stores;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.commands.AccountAggregate;
import dev.eventbank.schemas.commands.BankAccountCommand;
import dev.eventbank.schemas.commands.CloseAccount;
import dev.eventbank.schemas.commands.CommandOutcome;
import dev.eventbank.schemas.commands.CommandResult;
import dev.eventbank.schemas.commands.DepositMoney;
import dev.eventbank.schemas.commands.OpenAccount;
import dev.eventbank.schemas.commands.WithdrawMoney;
import dev.eventbank.schemas.common.AccountStatus;
import dev.eventbank.schemas.events.AccountOpened;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.events.MoneyWithdrawn;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command processor on {@link TopologyTestDriver}: commands in, events, results and the store out. */
class CommandProcessorTopologyTest {

    private static final Instant T0 = Instant.parse("2025-01-01T10:00:00Z");

    private TopologyTestDriver driver;
    private TestInputTopic<String, BankAccountCommand> commands;
    private TestOutputTopic<String, BankAccountEvent> events;
    private TestOutputTopic<String, CommandResult> results;
    private KeyValueStore<String, AccountAggregate> store;
    private final String account = UUID.randomUUID().toString();

    @TempDir
    Path stateDir;

    @BeforeEach
    void startDriver() throws IOException {
        SchemaRegistryClient registry = SchemaRegistryClients.forUrl("mock://command-topology-" + UUID.randomUUID());
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "command-topology-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(CommandProcessorTopology.build(registry), config, T0);
        commands = driver.createInputTopic(Topics.COMMANDS.name(), Serdes.String().serializer(),
                AvroSerdes.value(BankAccountCommand.class, registry).serializer());
        events = driver.createOutputTopic(Topics.EVENTS.name(), Serdes.String().deserializer(),
                AvroSerdes.value(BankAccountEvent.class, registry).deserializer());
        results = driver.createOutputTopic(Topics.COMMAND_RESULTS.name(), Serdes.String().deserializer(),
                AvroSerdes.value(CommandResult.class, registry).deserializer());
        store = driver.getKeyValueStore(Stores.ACCOUNT_AGGREGATE);
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    @Test
    void shouldAppendAccountOpenedAtVersionOneAndAcceptWhenOpening() {
        // given
        BankAccountCommand open = command(open("EUR", "100.00"));

        // when
        commands.pipeInput(account, open);

        // then
        BankAccountEvent opened = events.readValue();
        assertEquals(account, opened.getAggregateId());
        assertEquals(1, opened.getVersion());
        assertEquals("AccountOpened", opened.getEventType());
        assertEquals("BankAccount", opened.getAggregateType());
        assertEquals(open.getCommandId(), opened.getCommandId());
        assertEquals(open.getCorrelationId(), opened.getCorrelationId());
        assertEquals(open.getIssuedAt(), opened.getOccurredAt());
        UUID.fromString(opened.getEventId());
        assertEquals(0, new BigDecimal("100").compareTo(((AccountOpened) opened.getPayload()).getInitialDeposit()));
        CommandResult result = results.readValue();
        assertEquals(CommandOutcome.ACCEPTED, result.getOutcome());
        assertEquals(1, result.getVersion());
        assertEquals(1, result.getEventCount());
        assertEquals(open.getCommandId(), result.getCommandId());
        AccountAggregate aggregate = store.get(account);
        assertEquals(AccountStatus.OPEN, aggregate.getStatus());
        assertEquals(1, aggregate.getRecentCommands().size());
    }

    @Test
    void shouldNumberVersionsOneToNWhenCommandsFollowEachOther() {
        // when
        commands.pipeInput(account, command(open("EUR", "10")));
        commands.pipeInput(account, command(new DepositMoney(wire("5.25"), null)));
        commands.pipeInput(account, command(new WithdrawMoney(wire("15.25"))));
        commands.pipeInput(account, command(new CloseAccount("moving")));

        // then
        List<BankAccountEvent> appended = events.readValuesToList();
        assertEquals(List.of(1L, 2L, 3L, 4L), appended.stream().map(BankAccountEvent::getVersion).toList());
        assertEquals(List.of("AccountOpened", "MoneyDeposited", "MoneyWithdrawn", "AccountClosed"),
                appended.stream().map(BankAccountEvent::getEventType).toList());
        assertEquals(0, BigDecimal.ZERO.compareTo(((MoneyWithdrawn) appended.get(2).getPayload()).getBalanceAfter()));
        assertEquals(List.of(1L, 2L, 3L, 4L), results.readValuesToList().stream().map(CommandResult::getVersion).toList());
        assertEquals(AccountStatus.CLOSED, store.get(account).getStatus());
        assertEquals(4, store.get(account).getVersion());
    }

    @Test
    void shouldRejectAndAppendNothingWhenFundsAreInsufficient() {
        // given
        commands.pipeInput(account, command(open("EUR", "10")));
        events.readValuesToList();
        results.readValuesToList();

        // when
        commands.pipeInput(account, command(new WithdrawMoney(wire("10.01"))));

        // then
        assertTrue(events.isEmpty());
        CommandResult result = results.readValue();
        assertEquals(CommandOutcome.REJECTED, result.getOutcome());
        assertEquals("INSUFFICIENT_FUNDS", result.getRejectionCode());
        assertEquals(1, result.getVersion());
        assertTrue(result.getDetail().contains("10.00 EUR"), result.getDetail());
    }

    @Test
    void shouldRejectAnAmountWithMoreDecimalsThanTheCurrency() {
        // when
        commands.pipeInput(account, command(open("JPY", "10.5")));

        // then
        assertTrue(events.isEmpty());
        CommandResult result = results.readValue();
        assertEquals(CommandOutcome.REJECTED, result.getOutcome());
        assertEquals("INVALID_AMOUNT", result.getRejectionCode());
        assertNull(store.get(account));
    }

    @Test
    void shouldAnswerNotFoundWhenTheAccountDoesNotExist() {
        // when
        commands.pipeInput(account, command(new DepositMoney(wire("1"), null)));

        // then
        assertTrue(events.isEmpty());
        CommandResult result = results.readValue();
        assertEquals(CommandOutcome.NOT_FOUND, result.getOutcome());
        assertEquals(0, result.getVersion());
        assertNull(store.get(account));
    }

    @Test
    void shouldAnswerConflictWithTheCurrentVersionWhenTheExpectedVersionDiffers() {
        // given
        commands.pipeInput(account, command(open("EUR", "10")));
        commands.pipeInput(account, command(new DepositMoney(wire("1"), null)));
        events.readValuesToList();
        results.readValuesToList();
        BankAccountCommand stale = command(new WithdrawMoney(wire("1")));
        stale.setExpectedVersion(1L);

        // when
        commands.pipeInput(account, stale);

        // then
        assertTrue(events.isEmpty());
        CommandResult result = results.readValue();
        assertEquals(CommandOutcome.CONFLICT, result.getOutcome());
        assertEquals(2, result.getVersion());
        assertEquals(2, store.get(account).getVersion());
    }

    @Test
    void shouldAcceptWhenTheExpectedVersionMatches() {
        // given
        commands.pipeInput(account, command(open("EUR", "10")));
        BankAccountCommand current = command(new WithdrawMoney(wire("1")));
        current.setExpectedVersion(1L);

        // when
        commands.pipeInput(account, current);

        // then
        assertEquals(List.of(1L, 2L), events.readValuesToList().stream().map(BankAccountEvent::getVersion).toList());
        assertEquals(CommandOutcome.ACCEPTED, results.readValuesToList().get(1).getOutcome());
    }

    @Test
    void shouldReEmitTheStoredResultAndAppendNothingWhenACommandIdIsReplayed() {
        // given
        commands.pipeInput(account, command(open("EUR", "10")));
        BankAccountCommand deposit = command(new DepositMoney(wire("5"), null));
        deposit.setExpectedVersion(1L);
        commands.pipeInput(account, deposit);
        events.readValuesToList();
        CommandResult first = results.readValuesToList().get(1);

        // when: the same command again, although the account has moved on to version 2
        commands.pipeInput(account, deposit);

        // then
        assertTrue(events.isEmpty());
        TestRecord<String, CommandResult> replayed = results.readRecord();
        assertEquals(first, replayed.value());
        assertEquals(deposit.getFingerprint(),
                new String(replayed.headers().lastHeader(CommandProcessor.FINGERPRINT_HEADER).value(), StandardCharsets.UTF_8));
        assertEquals(2, store.get(account).getVersion());
    }

    @Test
    void shouldAnswerKeyReusedWhenACommandIdComesWithADifferentFingerprint() {
        // given
        commands.pipeInput(account, command(open("EUR", "10")));
        BankAccountCommand deposit = command(new DepositMoney(wire("5"), null));
        commands.pipeInput(account, deposit);
        events.readValuesToList();
        results.readValuesToList();
        BankAccountCommand other = BankAccountCommand.newBuilder(deposit)
                .setPayload(new DepositMoney(wire("6"), null)).setFingerprint("other").build();

        // when
        commands.pipeInput(account, other);

        // then
        assertTrue(events.isEmpty());
        TestRecord<String, CommandResult> result = results.readRecord();
        assertEquals(CommandOutcome.KEY_REUSED, result.value().getOutcome());
        assertEquals("other", new String(result.headers().lastHeader(CommandProcessor.FINGERPRINT_HEADER).value(),
                StandardCharsets.UTF_8));
    }

    @Test
    void shouldReplayAStoredRejection() {
        // given
        commands.pipeInput(account, command(open("EUR", "1")));
        BankAccountCommand withdraw = command(new WithdrawMoney(wire("5")));
        commands.pipeInput(account, withdraw);
        commands.pipeInput(account, command(new DepositMoney(wire("10"), null)));
        results.readValuesToList();

        // when: funds would now suffice, but a retry answers what the command got
        commands.pipeInput(account, withdraw);

        // then
        CommandResult result = results.readValue();
        assertEquals(CommandOutcome.REJECTED, result.getOutcome());
        assertEquals("INSUFFICIENT_FUNDS", result.getRejectionCode());
        assertEquals(2, events.readValuesToList().size());
    }

    @Test
    void shouldKeepOnlyTheLastHundredCommandResults() {
        // given
        commands.pipeInput(account, command(open("EUR", "0")));

        // when
        for (int i = 0; i < 120; i++) {
            commands.pipeInput(account, command(new DepositMoney(wire("1"), null)));
        }

        // then
        AccountAggregate aggregate = store.get(account);
        assertEquals(121, aggregate.getVersion());
        assertEquals(CommandProcessor.RECENT_COMMANDS, aggregate.getRecentCommands().size());
        assertEquals(121, aggregate.getRecentCommands().get(99).getCommandResult().getVersion());
        assertEquals(0, new BigDecimal("120").compareTo(aggregate.getBalance()));
    }

    @Test
    void shouldRejectAnOpenWhenTheAccountIsAlreadyOpen() {
        // given
        commands.pipeInput(account, command(open("EUR", "1")));

        // when
        commands.pipeInput(account, command(open("EUR", "1")));

        // then
        List<CommandResult> answered = results.readValuesToList();
        assertEquals("ALREADY_OPEN", answered.get(1).getRejectionCode());
        assertEquals(1, events.readValuesToList().size());
    }

    private BankAccountCommand command(Object payload) {
        return BankAccountCommand.newBuilder()
                .setCommandId(UUID.randomUUID().toString())
                .setAccountId(account)
                .setExpectedVersion(null)
                .setCorrelationId(UUID.randomUUID().toString())
                .setIdempotencyKey(null)
                .setFingerprint(payload.toString())
                .setIssuedAt(T0.plusSeconds(1))
                .setPayload(payload)
                .build();
    }

    private static OpenAccount open(String currency, String initialDeposit) {
        return new OpenAccount("NL01EVBK0001", "Ada Lovelace", currency, wire(initialDeposit), null, null);
    }

    private static BigDecimal wire(String amount) {
        return new BigDecimal(amount).setScale(4);
    }
}
