package dev.eventbank.command.processor;

import dev.eventbank.command.domain.AccountCommand;
import dev.eventbank.command.domain.AccountEvent;
import dev.eventbank.command.domain.AccountState;
import dev.eventbank.command.domain.BankAccount;
import dev.eventbank.command.domain.Decision;
import dev.eventbank.command.domain.RejectionCode;
import dev.eventbank.command.logging.CommandMdc;
import dev.eventbank.schemas.catalog.Stores;
import dev.eventbank.schemas.commands.AccountAggregate;
import dev.eventbank.schemas.commands.BankAccountCommand;
import dev.eventbank.schemas.commands.CommandOutcome;
import dev.eventbank.schemas.commands.CommandResult;
import dev.eventbank.schemas.commands.RecentCommand;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The single writer of each account: for one command, in this order, it loads the aggregate from
 * {@code account-aggregate-store}; answers a command id it has seen with the stored result (or KEY_REUSED
 * when the fingerprint differs); answers CONFLICT when an expected version is given and differs; otherwise
 * lets {@link BankAccount#decide} decide, appends the events with versions v+1.., stores the new aggregate and
 * emits the {@link CommandResult}. Under exactly_once_v2 the store write (changelog), the events, the result
 * and the command's offset commit in one transaction, so a result is visible to read_committed readers only
 * together with its events.
 *
 * <p>Idempotency: the aggregate keeps the results of its last {@value #RECENT_COMMANDS} accepted or rejected
 * commands (not conflicts, which decided nothing, so that a retry with a fresh {@code If-Match} can go ahead).
 * A retry older than that is decided again. Commands on an account that does not exist leave nothing behind.
 *
 * <p>Every result carries the command's fingerprint in the {@value #FINGERPRINT_HEADER} header, so that a
 * waiting caller can tell its own answer from the KEY_REUSED answer of a different request with the same id.
 */
final class CommandProcessor implements Processor<String, BankAccountCommand, String, SpecificRecord> {

    static final int RECENT_COMMANDS = 100;
    static final String FINGERPRINT_HEADER = "fingerprint";
    /** Marks the answer to a command decided before, so that readers do not count its events twice. */
    static final String REPLAYED_HEADER = "replayed";
    static final String INVALID_COMMAND = "INVALID_COMMAND";

    private static final Logger LOG = LoggerFactory.getLogger(CommandProcessor.class);

    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, AccountAggregate> store;

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.store = context.getStateStore(Stores.ACCOUNT_AGGREGATE);
    }

    @Override
    public void process(Record<String, BankAccountCommand> record) {
        BankAccountCommand command = record.value();
        if (command == null) {
            LOG.warn("command skipped reason=\"null value\" key={}", record.key());
            return;
        }
        // every log line about this command carries its correlation id, command id and account id
        try (CommandMdc mdc = CommandMdc.of(command)) {
            handle(record, command);
        }
    }

    private void handle(Record<String, BankAccountCommand> record, BankAccountCommand command) {
        String accountId = command.getAccountId();
        if (record.key() != null && !record.key().equals(accountId)) {
            // a command keyed by another account would be decided in the wrong partition's store
            emit(record, command, result(command, CommandOutcome.REJECTED, 0, 0, INVALID_COMMAND,
                    "record key " + record.key() + " differs from the command's account id"));
            return;
        }
        // 1. load the aggregate
        AccountAggregate aggregate = store.get(accountId);
        long currentVersion = aggregate == null ? 0 : aggregate.getVersion();

        // 2. a command id seen before: the same request gets the same answer, a different one KEY_REUSED
        RecentCommand seen = aggregate == null ? null : find(aggregate.getRecentCommands(), command.getCommandId());
        if (seen != null) {
            if (seen.getFingerprint().equals(command.getFingerprint())) {
                LOG.info("command replayed accountId={} commandId={} outcome={}", accountId, command.getCommandId(),
                        seen.getCommandResult().getOutcome());
                emit(record, command, seen.getCommandResult(), true);
            } else {
                emit(record, command, result(command, CommandOutcome.KEY_REUSED, currentVersion, 0, null,
                        "command id " + command.getCommandId() + " was used for a different request"));
            }
            return;
        }

        // 3. the account must exist for anything but open
        AccountCommand domainCommand;
        try {
            domainCommand = FromAvro.command(command);
        } catch (FromAvro.InvalidCommandException e) {
            LOG.warn("command invalid accountId={} commandId={} detail=\"{}\"", accountId, command.getCommandId(), e.getMessage());
            emit(record, command, result(command, CommandOutcome.REJECTED, currentVersion, 0, INVALID_COMMAND, e.getMessage()));
            return;
        }
        if (aggregate == null && !(domainCommand instanceof AccountCommand.OpenAccount)) {
            emit(record, command, result(command, CommandOutcome.NOT_FOUND, 0, 0,
                    RejectionCode.ACCOUNT_NOT_FOUND.name(), "account " + accountId + " does not exist"));
            return;
        }

        // 4. optimistic concurrency
        Long expected = command.getExpectedVersion();
        if (expected != null && expected != currentVersion) {
            emit(record, command, result(command, CommandOutcome.CONFLICT, currentVersion, 0, null,
                    "expected version " + expected + " but account " + accountId + " is at version " + currentVersion));
            return;
        }

        // 5. decide, append, store, answer
        AccountState state = FromAvro.state(aggregate);
        Decision decision = BankAccount.decide(domainCommand, state);
        if (decision instanceof Decision.Rejected rejected) {
            CommandResult result = result(command, CommandOutcome.REJECTED, currentVersion, 0, rejected.code().name(),
                    rejected.detail());
            if (aggregate != null) {
                store.put(accountId, ToAvro.aggregate(accountId, state, remember(aggregate, command, result)));
            }
            LOG.info("command rejected accountId={} commandId={} code={}", accountId, command.getCommandId(), rejected.code());
            emit(record, command, result);
            return;
        }
        List<AccountEvent> events = ((Decision.Accepted) decision).events();
        long version = currentVersion;
        for (AccountEvent event : events) {
            state = BankAccount.evolve(state, event);
            version++;
            context.forward(new Record<String, SpecificRecord>(accountId,
                    ToAvro.event(event, version, command, UUID.randomUUID()), event.occurredAt().toEpochMilli()),
                    CommandProcessorTopology.EVENTS_SINK);
        }
        CommandResult result = result(command, CommandOutcome.ACCEPTED, version, events.size(), null, null);
        store.put(accountId, ToAvro.aggregate(accountId, state,
                remember(aggregate, command, result)));
        LOG.info("command accepted accountId={} commandId={} version={} events={}", accountId, command.getCommandId(),
                version, events.size());
        emit(record, command, result);
    }

    private CommandResult result(BankAccountCommand command, CommandOutcome outcome, long version, int eventCount,
                                 String rejectionCode, String detail) {
        return CommandResult.newBuilder()
                .setCommandId(command.getCommandId())
                .setAccountId(command.getAccountId())
                .setOutcome(outcome)
                .setVersion(version)
                .setEventCount(eventCount)
                .setRejectionCode(rejectionCode)
                .setDetail(detail)
                .setCompletedAt(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                .build();
    }

    private void emit(Record<String, BankAccountCommand> record, BankAccountCommand command, CommandResult result) {
        emit(record, command, result, false);
    }

    private void emit(Record<String, BankAccountCommand> record, BankAccountCommand command, CommandResult result,
                      boolean replayed) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(FINGERPRINT_HEADER, command.getFingerprint().getBytes(StandardCharsets.UTF_8));
        if (replayed) {
            headers.add(REPLAYED_HEADER, "true".getBytes(StandardCharsets.UTF_8));
        }
        context.forward(new Record<String, SpecificRecord>(command.getAccountId(), result, record.timestamp(), headers),
                CommandProcessorTopology.RESULTS_SINK);
    }

    /** The aggregate's recent commands plus this one, oldest dropped beyond {@link #RECENT_COMMANDS}. */
    private static List<RecentCommand> remember(AccountAggregate aggregate, BankAccountCommand command, CommandResult result) {
        List<RecentCommand> recent = new ArrayList<>(aggregate == null ? List.of() : aggregate.getRecentCommands());
        recent.add(new RecentCommand(command.getFingerprint(), result));
        return recent.size() > RECENT_COMMANDS ? new ArrayList<>(recent.subList(recent.size() - RECENT_COMMANDS, recent.size())) : recent;
    }

    private static RecentCommand find(List<RecentCommand> recent, String commandId) {
        for (RecentCommand candidate : recent) {
            if (candidate.getCommandResult().getCommandId().equals(commandId)) {
                return candidate;
            }
        }
        return null;
    }
}
