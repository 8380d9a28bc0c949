package dev.eventbank.command.writer;

import dev.eventbank.schemas.AvroDecimals;
import dev.eventbank.schemas.commands.BankAccountCommand;
import dev.eventbank.schemas.commands.CloseAccount;
import dev.eventbank.schemas.commands.DepositMoney;
import dev.eventbank.schemas.commands.OpenAccount;
import dev.eventbank.schemas.commands.WithdrawMoney;
import dev.eventbank.schemas.common.AccountType;
import dev.eventbank.schemas.events.AccountClosed;
import dev.eventbank.schemas.events.AccountOpened;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.events.MoneyDeposited;
import dev.eventbank.schemas.events.MoneyWithdrawn;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * Commands and events of the wire contract (Avro), as the REST layer and the writer build them, for the writer's
 * tests. Amounts are strings in EUR unless said otherwise; commands with an {@code Idempotency-Key} get the
 * command id the REST layer derives from it, so a retry is the same command.
 */
final class AvroFixtures {

    static final Instant ISSUED_AT = Instant.parse("2026-01-01T09:59:00Z");

    private AvroFixtures() {
    }

    // --- commands

    static OpenAccount open(String currency, String initialDeposit) {
        return new OpenAccount("NL01EVBK0001", "Ada Lovelace", currency, wire(initialDeposit), null, null, null);
    }

    static DepositMoney deposit(String amount) {
        return new DepositMoney(wire(amount), null);
    }

    static WithdrawMoney withdraw(String amount) {
        return new WithdrawMoney(wire(amount));
    }

    static CloseAccount close() {
        return new CloseAccount("moving");
    }

    /** A command without {@code Idempotency-Key} or {@code If-Match}: a random id. */
    static BankAccountCommand command(String accountId, Object payload) {
        return command(accountId, payload, null, null);
    }

    /** A command sent with {@code Idempotency-Key: key}. */
    static BankAccountCommand keyed(String accountId, String key, Object payload) {
        return command(accountId, payload, key, null);
    }

    /** A command sent with {@code If-Match: "expectedVersion"}. */
    static BankAccountCommand ifMatch(String accountId, long expectedVersion, Object payload) {
        return command(accountId, payload, null, expectedVersion);
    }

    static BankAccountCommand command(String accountId, Object payload, String key, Long expectedVersion) {
        String commandId = key == null ? UUID.randomUUID().toString()
                : UUID.nameUUIDFromBytes(("command:" + accountId + ":" + key).getBytes(StandardCharsets.UTF_8)).toString();
        return BankAccountCommand.newBuilder()
                .setCommandId(commandId)
                .setAccountId(accountId)
                .setExpectedVersion(expectedVersion)
                .setCorrelationId(UUID.randomUUID().toString())
                .setIdempotencyKey(key)
                // the same request gives the same fingerprint, as the REST layer's hash of its fields does
                .setFingerprint(payload.getClass().getSimpleName() + payload + "|" + expectedVersion)
                .setIssuedAt(ISSUED_AT)
                .setPayload(payload)
                .build();
    }

    // --- events

    static AccountOpened opened(String currency, String initialDeposit) {
        return AccountOpened.newBuilder().setAccountNumber("NL01EVBK0001").setOwner("Ada Lovelace")
                .setCurrency(currency).setInitialDeposit(wire(initialDeposit)).setEmail(null)
                .setAccountType(AccountType.CHECKING).build();
    }

    static MoneyDeposited deposited(String amount, String balanceAfter) {
        return MoneyDeposited.newBuilder().setAmount(wire(amount)).setCurrency("EUR")
                .setBalanceAfter(wire(balanceAfter)).setReference(null).build();
    }

    static MoneyWithdrawn withdrawn(String amount, String balanceAfter) {
        return MoneyWithdrawn.newBuilder().setAmount(wire(amount)).setCurrency("EUR")
                .setBalanceAfter(wire(balanceAfter)).build();
    }

    static AccountClosed closed() {
        return AccountClosed.newBuilder().setReason("moving").build();
    }

    /** The envelope of {@code payload} at {@code version} of {@code accountId}, as an external writer would write it. */
    static BankAccountEvent event(String accountId, long version, Object payload) {
        return BankAccountEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setAggregateId(accountId)
                .setAggregateType("BankAccount")
                .setVersion(version)
                .setEventType(payload.getClass().getSimpleName())
                .setOccurredAt(ISSUED_AT)
                .setCommandId(UUID.randomUUID().toString())
                .setCorrelationId(UUID.randomUUID().toString())
                .setPayload(payload)
                .build();
    }

    static BigDecimal wire(String amount) {
        return AvroDecimals.toWire(new BigDecimal(amount));
    }
}
