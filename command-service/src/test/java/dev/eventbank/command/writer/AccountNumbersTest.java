package dev.eventbank.command.writer;

import dev.eventbank.schemas.commands.AccountAggregate;
import dev.eventbank.schemas.commands.AccountNumberAction;
import dev.eventbank.schemas.commands.AccountNumberCommand;
import dev.eventbank.schemas.commands.AccountNumberReservation;
import dev.eventbank.schemas.commands.BankAccountCommand;
import dev.eventbank.schemas.commands.CommandOutcome;
import dev.eventbank.schemas.commands.CommandResult;
import dev.eventbank.schemas.commands.RecentCommand;
import dev.eventbank.schemas.commands.ReservationStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import static dev.eventbank.command.writer.AvroFixtures.keyed;
import static dev.eventbank.command.writer.AvroFixtures.open;
import static dev.eventbank.command.writer.AvroFixtures.opened;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link AccountNumbers}: given the number's reservation (or the holder account's state), when a reserve, confirm,
 * release or check-holder command arrives, then what it answers and what it writes. The clock is {@link #T0} unless
 * a test says otherwise; the lease is 30 s.
 */
class AccountNumbersTest {

    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration WINDOW = Duration.ofHours(24);
    private static final String NUMBER = "NL01 EVBK 0001";

    private final String ada = UUID.randomUUID().toString();
    private final String grace = UUID.randomUUID().toString();

    // --- reserve

    @Test
    void shouldReserveAFreeNumberAsPendingForTheAccountOfTheOpen() {
        // given: the number is free
        // when
        AccountNumbers.Decided decided = AccountNumbers.decide(reserve(ada, "open-ada"), null, T0, LEASE);

        // then
        accepted(decided);
        assertTrue(decided.writes());
        assertEquals(new AccountNumberReservation(NUMBER, ada, ReservationStatus.PENDING, "open-ada", "fp-open-ada", T0),
                decided.reservation());
        assertEquals(decided.reservation(), decided.result().getReservation());
    }

    @Test
    void shouldAnswerReservedAgainWhenTheSameAccountRetriesItsOpen() {
        // given: ada's open reserved the number 10 s ago, and once confirmed
        AccountNumberReservation pending = pending(ada, "open-ada", T0.minusSeconds(10));
        AccountNumberReservation confirmed = confirmed(ada);

        // when
        AccountNumbers.Decided renewed = AccountNumbers.decide(reserve(ada, "open-ada"), pending, T0, LEASE);
        AccountNumbers.Decided kept = AccountNumbers.decide(reserve(ada, "open-ada"), confirmed, T0, LEASE);

        // then: a pending one gets a fresh lease; a confirmed one stays as it is
        accepted(renewed);
        assertEquals(T0, renewed.reservation().getReservedAt());
        assertEquals(ReservationStatus.PENDING, renewed.reservation().getStatus());
        accepted(kept);
        assertFalse(kept.writes());
        assertEquals(confirmed, kept.result().getReservation());
    }

    @Test
    void shouldRefuseAsTakenWhenAnotherAccountHoldsTheNumber() {
        // given: grace's account holds it (confirmed), or her open reserved it 29 s ago
        // when
        AccountNumbers.Decided againstConfirmed = AccountNumbers.decide(reserve(ada, "open-ada"), confirmed(grace), T0, LEASE);
        AccountNumbers.Decided againstPending = AccountNumbers.decide(reserve(ada, "open-ada"),
                pending(grace, "open-grace", T0.minusSeconds(29)), T0, LEASE);

        // then
        refused(againstConfirmed, AccountNumbers.TAKEN);
        refused(againstPending, AccountNumbers.TAKEN);
    }

    @Test
    void shouldNameTheHolderWhenAnotherAccountsPendingReservationOutlivedTheLease() {
        // given: grace's open reserved the number 30 s ago and never confirmed it
        AccountNumberReservation stale = pending(grace, "open-grace", T0.minus(LEASE));

        // when
        AccountNumbers.Decided decided = AccountNumbers.decide(reserve(ada, "open-ada"), stale, T0, LEASE);

        // then: refused, with the holder to check; nothing written
        refused(decided, AccountNumbers.UNCONFIRMED);
        assertEquals(stale, decided.result().getReservation());
    }

    @Test
    void shouldReplaceAStaleHolderOnlyWhenTheReservationIsStillTheOneChecked() {
        // given: ada's open checked grace's stale reservation; meanwhile grace's retry may have renewed it
        AccountNumberReservation checked = pending(grace, "open-grace", T0.minus(LEASE));
        AccountNumberReservation renewed = pending(grace, "open-grace", T0.minusSeconds(1));

        // when
        AccountNumbers.Decided unchanged = AccountNumbers.decide(reserve(ada, "open-ada", checked), checked, T0, LEASE);
        AccountNumbers.Decided changed = AccountNumbers.decide(reserve(ada, "open-ada", checked), renewed, T0, LEASE);

        // then
        accepted(unchanged);
        assertEquals(ada, unchanged.reservation().getAccountId());
        assertEquals(ReservationStatus.PENDING, unchanged.reservation().getStatus());
        refused(changed, AccountNumbers.TAKEN);
        assertEquals(renewed, changed.result().getReservation());
    }

    @Test
    void shouldNeverReplaceAConfirmedReservation() {
        // given: grace's account holds the number; a sender names that very reservation as the one it replaces
        AccountNumberReservation held = confirmed(grace);

        // when
        AccountNumbers.Decided decided = AccountNumbers.decide(reserve(ada, "open-ada", held), held, T0.plus(Duration.ofDays(365)), LEASE);

        // then
        refused(decided, AccountNumbers.TAKEN);
    }

    @Test
    void shouldTreatNumbersThatDifferOnlyInCaseSpacesAndDashesAsOneNumber() {
        assertEquals("NL01EVBK0001", AccountNumbers.key("nl01 evbk-0001"));
        assertEquals(AccountNumbers.key("NL01EVBK0001"), AccountNumbers.key(NUMBER));
        assertFalse(AccountNumbers.key("NL01EVBK0002").equals(AccountNumbers.key(NUMBER)));
    }

    // --- confirm and release

    @Test
    void shouldConfirmThePendingReservationOfTheOpenedAccountForGood() {
        // given
        AccountNumberReservation pending = pending(ada, "open-ada", T0.minusSeconds(2));

        // when
        AccountNumbers.Decided decided = AccountNumbers.decide(command(AccountNumberAction.CONFIRM, ada, "open-ada", null),
                pending, T0, LEASE);

        // then: confirmed, never stale however old
        accepted(decided);
        assertEquals(ReservationStatus.CONFIRMED, decided.reservation().getStatus());
        refused(AccountNumbers.decide(reserve(grace, "open-grace"), decided.reservation(), T0.plus(Duration.ofDays(3650)), LEASE),
                AccountNumbers.TAKEN);
    }

    @Test
    void shouldRefuseToConfirmANumberAnotherAccountHolds() {
        // when
        AccountNumbers.Decided decided = AccountNumbers.decide(command(AccountNumberAction.CONFIRM, ada, "open-ada", null),
                pending(grace, "open-grace", T0), T0, LEASE);

        // then
        refused(decided, AccountNumbers.TAKEN);
    }

    @Test
    void shouldReleaseOnlyThePendingReservationOfTheRefusedOpenItself() {
        // given
        AccountNumbers.Decided own = AccountNumbers.decide(command(AccountNumberAction.RELEASE, ada, "open-ada", null),
                pending(ada, "open-ada", T0), T0, LEASE);
        AccountNumbers.Decided anotherOpen = AccountNumbers.decide(command(AccountNumberAction.RELEASE, ada, "open-ada", null),
                pending(ada, "open-ada-2", T0), T0, LEASE);
        AccountNumbers.Decided confirmedOne = AccountNumbers.decide(command(AccountNumberAction.RELEASE, ada, "open-ada", null),
                confirmed(ada), T0, LEASE);
        AccountNumbers.Decided anotherAccount = AccountNumbers.decide(command(AccountNumberAction.RELEASE, ada, "open-ada", null),
                pending(grace, "open-grace", T0), T0, LEASE);

        // then: only the first is removed (a tombstone); a closed or open account keeps its number
        accepted(own);
        assertTrue(own.writes());
        assertNull(own.reservation());
        for (AccountNumbers.Decided kept : new AccountNumbers.Decided[]{anotherOpen, confirmedOne, anotherAccount}) {
            accepted(kept);
            assertFalse(kept.writes());
        }
    }

    // --- check holder (in the holder account's partition)

    @Test
    void shouldAnswerTheAccountsOwnNumberWhenTheCheckedHolderExists() {
        // given: grace's account is open (closed would answer the same: it keeps its number)
        CommandHandlerSpec spec = CommandHandlerSpec.given(opened("EUR", "1"));
        AccountAggregate aggregate = spec.aggregates.get(spec.account);

        // when
        AccountNumbers.Decided decided = AccountNumbers.checkHolder(command(AccountNumberAction.CHECK_HOLDER, spec.account,
                "open-grace", null), aggregate, null, T0, WINDOW);

        // then
        accepted(decided);
        assertNull(decided.fence());
        assertEquals(1, decided.result().getVersion());
        assertEquals("NL01EVBK0001", decided.result().getReservation().getAccountNumber());
    }

    @Test
    void shouldRefuseTheHoldersOpenForGoodWhenTheCheckedHolderDoesNotExist() {
        // given: grace's keyed open reserved the number and never arrived at her account's partition
        String key = "k-grace";
        BankAccountCommand graceOpen = keyed(grace, key, open("EUR", "1"));

        // when: ada's open checks grace
        AccountNumbers.Decided decided = AccountNumbers.checkHolder(command(AccountNumberAction.CHECK_HOLDER, grace,
                graceOpen.getCommandId(), graceOpen.getFingerprint()), null, null, T0, WINDOW);

        // then: the refusal is recorded as the outcome of grace's open, so it can never commit afterwards
        accepted(decided);
        assertEquals(0, decided.result().getVersion());
        assertNotNull(decided.fence());
        CommandHandler.Handled late = CommandHandler.handle(CommandHandlerSpec.TELLER, graceOpen, null, decided.fence(), T0.plusSeconds(1), WINDOW);
        assertTrue(late.replayed());
        assertEquals(CommandOutcome.REJECTED, late.result().getOutcome());
        assertEquals(AccountNumbers.TAKEN, late.result().getRejectionCode());
        assertEquals(0, late.result().getVersion());
        assertTrue(late.events().isEmpty());
        assertNull(late.aggregate());
    }

    @Test
    void shouldRecordNothingWhenTheCheckedHoldersOpenWasDecidedAlready() {
        // given: grace's open was refused earlier (recorded: a business rule, since a 400 such as a JPY amount with
        // decimals is not recorded); here the account was open already
        var opened = CommandHandler.handle(CommandHandlerSpec.TELLER, keyed(grace, "k-first", open("EUR", "1")), null, null, T0, WINDOW).aggregate();
        BankAccountCommand graceOpen = keyed(grace, "k-grace", open("EUR", "2"));
        RecentCommand refused = CommandHandler.handle(CommandHandlerSpec.TELLER, graceOpen, opened, null, T0, WINDOW).outcome();
        assertNotNull(refused, "the refusal is recorded");

        // when
        AccountNumbers.Decided decided = AccountNumbers.checkHolder(command(AccountNumberAction.CHECK_HOLDER, grace,
                graceOpen.getCommandId(), graceOpen.getFingerprint()), null, refused, T0, WINDOW);

        // then
        accepted(decided);
        assertNull(decided.fence());
        assertFalse(decided.writes());
    }

    // --- helpers

    private static void accepted(AccountNumbers.Decided decided) {
        assertEquals(CommandOutcome.ACCEPTED, decided.result().getOutcome(), () -> "" + decided.result());
        assertNull(decided.result().getRejectionCode());
    }

    private static void refused(AccountNumbers.Decided decided, String code) {
        CommandResult result = decided.result();
        assertEquals(CommandOutcome.REJECTED, result.getOutcome(), () -> "" + result);
        assertEquals(code, result.getRejectionCode());
        assertFalse(decided.writes(), "a refusal writes nothing");
        assertNotNull(result.getReservation(), "a refusal names the holder");
    }

    private AccountNumberCommand reserve(String accountId, String openCommandId) {
        return reserve(accountId, openCommandId, null);
    }

    private AccountNumberCommand reserve(String accountId, String openCommandId, AccountNumberReservation replaces) {
        return AccountNumberCommand.newBuilder(command(AccountNumberAction.RESERVE, accountId, openCommandId, null))
                .setReplaces(replaces).build();
    }

    private static AccountNumberCommand command(AccountNumberAction action, String accountId, String openCommandId,
                                                String fingerprint) {
        return AccountNumberCommand.newBuilder()
                .setCommandId(UUID.randomUUID().toString())
                .setAction(action)
                .setAccountNumber(NUMBER)
                .setAccountId(accountId)
                .setOpenCommandId(openCommandId)
                .setOpenFingerprint(fingerprint != null ? fingerprint : "fp-" + openCommandId)
                .setReplaces(null)
                .setCorrelationId(UUID.randomUUID().toString())
                .setIssuedAt(T0)
                .build();
    }

    private static AccountNumberReservation pending(String accountId, String openCommandId, Instant at) {
        return new AccountNumberReservation(NUMBER, accountId, ReservationStatus.PENDING, openCommandId, "fp-" + openCommandId, at);
    }

    private static AccountNumberReservation confirmed(String accountId) {
        return new AccountNumberReservation(NUMBER, accountId, ReservationStatus.CONFIRMED, null, null, T0.minusSeconds(3600));
    }
}
