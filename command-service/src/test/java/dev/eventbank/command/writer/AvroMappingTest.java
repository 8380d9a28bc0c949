package dev.eventbank.command.writer;

import dev.eventbank.command.domain.AccountCommand;
import dev.eventbank.command.domain.AccountEvent;
import dev.eventbank.command.domain.AccountType;
import dev.eventbank.command.domain.Money;
import dev.eventbank.schemas.AvroDecimals;
import dev.eventbank.schemas.commands.BankAccountCommand;
import dev.eventbank.schemas.commands.DepositMoney;
import dev.eventbank.schemas.commands.OpenAccount;
import dev.eventbank.schemas.events.AccountOpened;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.events.MoneyDeposited;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The version 2 fields across the Avro edge: commands in, events out. */
class AvroMappingTest {

    private static final Instant T0 = Instant.parse("2026-02-01T10:00:00Z");
    private static final Currency EUR = Currency.getInstance("EUR");

    @Test
    void shouldWriteEmailAccountTypeAndOwnerIdWhenTheAccountIsOpened() {
        // given
        AccountEvent.AccountOpened opened = new AccountEvent.AccountOpened("NL02", "Grace Hopper", EUR,
                Money.of("10", "EUR"), "grace@example.com", AccountType.SAVINGS, "customer-grace", T0);
        // when
        BankAccountEvent event = ToAvro.event(opened, 1, command(new OpenAccount()), UUID.randomUUID());
        // then
        AccountOpened payload = (AccountOpened) event.getPayload();
        assertEquals("grace@example.com", payload.getEmail());
        assertEquals(dev.eventbank.schemas.common.AccountType.SAVINGS, payload.getAccountType());
        assertEquals("customer-grace", payload.getOwnerId());
        assertEquals(3, event.getSchema().getField("payload").schema().getTypes().get(0)
                .getObjectProp("eventbank.version"), "written as version 3");
    }

    @Test
    void shouldWriteTheReferenceWhenMoneyIsDeposited() {
        // given
        AccountEvent.MoneyDeposited deposited = new AccountEvent.MoneyDeposited(Money.of("5", "EUR"),
                Money.of("15", "EUR"), "invoice 42", T0);
        // when
        BankAccountEvent event = ToAvro.event(deposited, 2, command(new DepositMoney()), UUID.randomUUID());
        // then
        assertEquals("invoice 42", ((MoneyDeposited) event.getPayload()).getReference());
    }

    @Test
    void shouldOpenACheckingAccountWhenTheCommandPredatesAccountTypes() {
        // given an OpenAccount as a v1 REST layer produced it: no email, no account type
        OpenAccount v1 = new OpenAccount("NL01", "Ada Lovelace", "EUR", AvroDecimals.toWire(BigDecimal.ONE), null, null, null);
        // when
        AccountCommand.OpenAccount open = (AccountCommand.OpenAccount) FromAvro.command(command(v1));
        // then
        assertEquals(AccountType.CHECKING, open.accountType());
        assertNull(open.email());
    }

    @Test
    void shouldReadTheReferenceWhenADepositCarriesOne() {
        // when
        AccountCommand.DepositMoney deposit = (AccountCommand.DepositMoney) FromAvro.command(
                command(new DepositMoney(AvroDecimals.toWire(BigDecimal.ONE), "invoice 42")));
        // then
        assertEquals("invoice 42", deposit.reference());
    }

    private static BankAccountCommand command(Object payload) {
        return BankAccountCommand.newBuilder().setCommandId("c-1").setAccountId("a-1").setCorrelationId("r-1")
                .setFingerprint("f").setIssuedAt(T0).setPayload(payload).build();
    }
}
