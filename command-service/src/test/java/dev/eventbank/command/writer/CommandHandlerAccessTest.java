package dev.eventbank.command.writer;

import dev.eventbank.command.access.AccountAccess;
import dev.eventbank.command.access.Caller;
import dev.eventbank.schemas.commands.AccountAggregate;
import dev.eventbank.schemas.commands.BankAccountCommand;
import dev.eventbank.schemas.commands.CommandOutcome;
import dev.eventbank.schemas.commands.CommandResult;
import dev.eventbank.schemas.commands.OpenAccount;
import dev.eventbank.schemas.commands.RecentCommand;
import dev.eventbank.schemas.events.AccountOpened;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.UUID;

import static dev.eventbank.command.writer.AvroFixtures.command;
import static dev.eventbank.command.writer.AvroFixtures.deposit;
import static dev.eventbank.command.writer.AvroFixtures.event;
import static dev.eventbank.command.writer.AvroFixtures.ifMatch;
import static dev.eventbank.command.writer.AvroFixtures.keyed;
import static dev.eventbank.command.writer.AvroFixtures.open;
import static dev.eventbank.command.writer.AvroFixtures.opened;
import static dev.eventbank.command.writer.AvroFixtures.withdraw;
import static dev.eventbank.command.writer.CommandHandlerSpec.T0;
import static dev.eventbank.command.writer.CommandHandlerSpec.TELLER;
import static dev.eventbank.command.writer.CommandHandlerSpec.WINDOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The account rules of the write side ({@link AccountAccess}) as {@link CommandHandler} applies them: a customer
 * reaches only the accounts whose {@code ownerId} is its subject, and any other account answers exactly as one that
 * does not exist, before idempotency and version checks could tell otherwise.
 */
class CommandHandlerAccessTest {

    private static final Caller ALICE = new Caller("alice", Set.of("customer"), null);
    private static final Caller BOB = new Caller("bob", Set.of("customer"), null);
    private static final Caller AUDITOR = new Caller("audrey", Set.of("auditor"), null);

    private final String account = UUID.randomUUID().toString();

    /** Alice's account at version 1, as folded from an AccountOpened v3 with her id. */
    private AccountAggregate alicesAccount() {
        AccountOpened opened = opened("EUR", "10");
        opened.setOwnerId("alice");
        return EventFold.apply(null, event(account, 1, opened));
    }

    @Test
    void shouldAcceptTheOwnersCommandWhenTheAccountIsHers() {
        // when
        CommandHandler.Handled handled = CommandHandler.handle(ALICE, command(account, withdraw("4")), alicesAccount(),
                null, T0, WINDOW);

        // then
        assertEquals(CommandOutcome.ACCEPTED, handled.result().getOutcome(), handled.result().getDetail());
        assertEquals("alice", handled.aggregate().getOwnerId(), "the owner is kept in the new aggregate");
        assertFalse(handled.refused());
    }

    @Test
    void shouldAnswerAnotherCustomerExactlyAsForAnAccountThatDoesNotExist() {
        // given the same command, on Alice's account and on none
        BankAccountCommand deposit = command(account, deposit("5"));

        // when
        CommandHandler.Handled bobs = CommandHandler.handle(BOB, deposit, alicesAccount(), null, T0, WINDOW);
        CommandHandler.Handled nobodys = CommandHandler.handle(TELLER, deposit, null, null, T0, WINDOW);

        // then: the same result in every field, nothing appended, nothing recorded
        assertEquals(nobodys.result(), bobs.result());
        assertEquals(CommandOutcome.NOT_FOUND, bobs.result().getOutcome());
        assertTrue(bobs.writesNothing());
        assertTrue(bobs.refused());
        assertFalse(nobodys.refused());
    }

    @Test
    void shouldRefuseAnotherCustomerBeforeARecordedOutcomeOrAVersionConflictCouldTellTheAccountExists() {
        // given Alice's keyed deposit, decided and recorded
        BankAccountCommand alices = keyed(account, "alice-key", deposit("5"));
        CommandHandler.Handled first = CommandHandler.handle(ALICE, alices, alicesAccount(), null, T0, WINDOW);
        RecentCommand recorded = first.outcome();

        // when Bob sends the very same command (her key), and one with a stale If-Match
        CommandHandler.Handled replayForBob = CommandHandler.handle(BOB, alices, first.aggregate(), recorded, T0, WINDOW);
        CommandHandler.Handled conflictForBob = CommandHandler.handle(BOB, ifMatch(account, 99, deposit("5")),
                first.aggregate(), null, T0, WINDOW);

        // then neither is told more than "no such account"
        assertEquals(CommandOutcome.NOT_FOUND, replayForBob.result().getOutcome());
        assertFalse(replayForBob.replayed());
        assertEquals(CommandOutcome.NOT_FOUND, conflictForBob.result().getOutcome());
        assertEquals(0, conflictForBob.result().getVersion());
    }

    @Test
    void shouldNeverAnswerACustomerWithAnotherAccountsRecordedOutcome() {
        // given Alice's keyed withdrawal refused for want of funds (its detail names her balance), recorded, and an
        // account of Bob's in the same partition
        BankAccountCommand alices = keyed(account, "alice-key", withdraw("25"));
        CommandHandler.Handled first = CommandHandler.handle(ALICE, alices, alicesAccount(), null, T0, WINDOW);
        assertEquals(CommandOutcome.REJECTED, first.result().getOutcome());
        RecentCommand recorded = first.outcome();
        String bobsId = UUID.randomUUID().toString();
        AccountOpened bobsOpening = opened("EUR", "10");
        bobsOpening.setOwnerId("bob");
        AccountAggregate bobsAccount = EventFold.apply(null, event(bobsId, 1, bobsOpening));

        // when Bob sends a command to his own account under her command id and fingerprint (POST /internal/commands
        // takes the ids as sent), with and without a key
        BankAccountCommand unkeyed = BankAccountCommand.newBuilder(alices).setAccountId(bobsId).setIdempotencyKey(null).build();
        BankAccountCommand keyed = BankAccountCommand.newBuilder(alices).setAccountId(bobsId).build();

        // then he is not told her outcome: refused as a reused id, on his own account, and nothing is recorded
        for (BankAccountCommand probe : java.util.List.of(unkeyed, keyed)) {
            CommandHandler.Handled handled = CommandHandler.handle(BOB, probe, bobsAccount, recorded, T0, WINDOW);
            assertFalse(handled.replayed(), "Alice's outcome was replayed to Bob: " + handled.result());
            assertEquals(CommandOutcome.KEY_REUSED, handled.result().getOutcome());
            assertEquals(bobsId, handled.result().getAccountId());
            assertEquals(1, handled.result().getVersion());
            assertFalse(handled.result().getDetail().contains("balance"), handled.result().getDetail());
            assertTrue(handled.writesNothing());
        }
    }

    @Test
    void shouldRefuseEveryCustomerWhenTheAccountHasNoCustomerOwner() {
        // given an account opened before owners were recorded (AccountOpened v2: ownerId null)
        AccountAggregate unowned = EventFold.apply(null, event(account, 1, opened("EUR", "10")));

        // when
        CommandResult result = CommandHandler.handle(ALICE, command(account, deposit("1")), unowned, null, T0, WINDOW).result();

        // then
        assertNull(unowned.getOwnerId());
        assertEquals(CommandOutcome.NOT_FOUND, result.getOutcome());
        assertEquals(CommandOutcome.ACCEPTED,
                CommandHandler.handle(TELLER, command(account, deposit("1")), unowned, null, T0, WINDOW).result().getOutcome());
    }

    @Test
    void shouldRefuseAnyoneButCustomersAndTellersWhateverTheAccount() {
        CommandResult result = CommandHandler.handle(AUDITOR, command(account, deposit("1")), alicesAccount(), null, T0,
                WINDOW).result();
        assertEquals(CommandOutcome.NOT_FOUND, result.getOutcome());
    }

    @Test
    void shouldOpenACustomersAccountOnlyForItselfAndAtItsOwnAccountId() {
        // given Alice's open as the REST layer builds it: her id as owner, the account id derived from her key
        String aliceAccount = AccountAccess.customerAccountId("alice", "k1", null);
        OpenAccount forAlice = open("EUR", "0");
        forAlice.setOwnerId("alice");
        OpenAccount forBob = open("EUR", "0");
        forBob.setOwnerId("bob");

        // when
        CommandHandler.Handled own = CommandHandler.handle(ALICE, keyed(aliceAccount, "k1", forAlice), null, null, T0, WINDOW);
        CommandHandler.Handled forSomeoneElse = CommandHandler.handle(ALICE, keyed(aliceAccount, "k1", forBob), null, null,
                T0, WINDOW);
        CommandHandler.Handled atAnotherId = CommandHandler.handle(ALICE, keyed(UUID.randomUUID().toString(), "k1", forAlice),
                null, null, T0, WINDOW);
        CommandHandler.Handled byTeller = CommandHandler.handle(TELLER, command(account, forBob), null, null, T0, WINDOW);

        // then
        assertEquals(CommandOutcome.ACCEPTED, own.result().getOutcome(), own.result().getDetail());
        assertEquals("alice", ((AccountOpened) own.events().get(0).getPayload()).getOwnerId(), "AccountOpened v3 carries it");
        assertEquals("alice", own.aggregate().getOwnerId());
        assertTrue(forSomeoneElse.refused());
        assertTrue(atAnotherId.refused(), "a customer cannot address an account id of its choosing (an existing one)");
        assertEquals(CommandOutcome.ACCEPTED, byTeller.result().getOutcome());
        assertEquals("bob", byTeller.aggregate().getOwnerId());
    }

    @Test
    void shouldDeriveDifferentAccountIdsWhenTwoCustomersUseOneKey() {
        assertFalse(AccountAccess.customerAccountId("alice", "k1", null)
                .equals(AccountAccess.customerAccountId("bob", "k1", null)));
        assertEquals(AccountAccess.customerAccountId("alice", "k1", "c1"),
                AccountAccess.customerAccountId("alice", "k1", "c2"), "with a key, the command id plays no part");
        // a subject with a space cannot pose as another subject with another key
        assertFalse(AccountAccess.customerAccountId("a b", "c", null).equals(AccountAccess.customerAccountId("a", "b c", null)));
    }
}
