package dev.eventbank.localstack;

import dev.eventbank.schemas.events.AccountOpened;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.events.MoneyDeposited;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The judge of the fault tests, judged: {@link LogAudit} passes a log that agrees with every answer and reports each
 * kind of damage a zombie, a lost acknowledgement or a double booking would leave. No broker: the log is given.
 */
class LogAuditTest {

    private static final String ACCOUNT = "a1";
    private static final List<String> ACCOUNTS = List.of(ACCOUNT);

    @Test
    void shouldPassALogThatAgreesWithEveryAnswer() {
        // given
        LogAudit audit = log(opened(), deposit(2, "r1", "1.00", "1.00"), deposit(3, "r2", "2.00", "3.00"));

        // when / then
        assertDoesNotThrow(() -> audit.assertInvariants(ACCOUNTS,
                List.of(acknowledged("r1", 2), acknowledged("r2", 3), unanswered("r3"), refused("r4"))));
    }

    @Test
    void shouldReportAGapInTheVersions() {
        // given
        LogAudit audit = log(opened(), deposit(3, "r1", "1.00", "1.00"));

        // when / then
        assertViolation("versions of a1 are not 1..2", audit, List.of());
    }

    @Test
    void shouldReportADuplicateVersionWhenAZombiesLateWriteGotIn() {
        // given
        LogAudit audit = log(opened(), deposit(2, "r1", "1.00", "1.00"), deposit(2, "r2", "1.00", "1.00"));

        // when / then
        assertViolation("versions of a1 are not 1..3", audit, List.of());
    }

    @Test
    void shouldReportARequestAppliedTwice() {
        // given
        LogAudit audit = log(opened(), deposit(2, "r1", "1.00", "1.00"), deposit(3, "r1", "1.00", "2.00"));

        // when / then
        assertViolation("request r1 applied twice", audit, List.of());
    }

    @Test
    void shouldReportAnAcknowledgementWhenAnotherRequestsEventIsAtItsVersion() {
        // given
        LogAudit audit = log(opened(), deposit(2, "r1", "1.00", "1.00"));

        // when / then
        assertViolation("acknowledged r9", audit, List.of(acknowledged("r9", 2)));
    }

    @Test
    void shouldReportAnAcknowledgementWhenItsEventIsMissingFromTheLog() {
        // given
        LogAudit audit = log(opened(), deposit(2, "r1", "1.00", "1.00"));

        // when / then
        assertViolation("acknowledged r2", audit, List.of(acknowledged("r2", 3)));
    }

    @Test
    void shouldReportABalanceWhenItDoesNotFollowFromTheEventsBefore() {
        // given: the second deposit decided on the state before the first, as a stale owner would
        LogAudit audit = log(opened(), deposit(2, "r1", "1.00", "1.00"), deposit(3, "r2", "1.00", "1.00"));

        // when / then
        assertViolation("a1 v3 has balanceAfter 1.00 but the events before it make 2.00", audit, List.of());
    }

    @Test
    void shouldReportARefusedRequestWhenItAppendedAnEvent() {
        // given
        LogAudit audit = log(opened(), deposit(2, "r1", "1.00", "1.00"));

        // when / then
        assertViolation("refused r1", audit, List.of(refused("r1")));
    }

    private static void assertViolation(String expected, LogAudit audit, List<Deposits.Sent> requests) {
        AssertionFailedError failure = assertThrows(AssertionFailedError.class,
                () -> audit.assertInvariants(ACCOUNTS, requests));
        assertTrue(failure.getMessage().contains(expected), failure.getMessage());
    }

    private static LogAudit log(BankAccountEvent... events) {
        return LogAudit.of(Map.of(ACCOUNT, List.of(events)));
    }

    private static BankAccountEvent opened() {
        return event(1, "AccountOpened", AccountOpened.newBuilder().setAccountNumber("EVBK1").setOwner("Ada")
                .setCurrency("EUR").setInitialDeposit(BigDecimal.ZERO).build());
    }

    private static BankAccountEvent deposit(long version, String reference, String amount, String balanceAfter) {
        return event(version, "MoneyDeposited", new MoneyDeposited(new BigDecimal(amount), "EUR",
                new BigDecimal(balanceAfter), reference));
    }

    private static BankAccountEvent event(long version, String type, Object payload) {
        return BankAccountEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setAggregateId(ACCOUNT)
                .setVersion(version).setEventType(type).setOccurredAt(Instant.EPOCH)
                .setCommandId(UUID.randomUUID().toString()).setCorrelationId("c").setPayload(payload).build();
    }

    private static Deposits.Sent acknowledged(String reference, long version) {
        return new Deposits.Sent(reference, ACCOUNT, "http://i", 200, version, "\"" + version + "\"", 0, 0, null);
    }

    private static Deposits.Sent refused(String reference) {
        return new Deposits.Sent(reference, ACCOUNT, "http://i", 409, -1, null, 0, 0, null);
    }

    private static Deposits.Sent unanswered(String reference) {
        return new Deposits.Sent(reference, ACCOUNT, "http://i", Deposits.NO_ANSWER, -1, null, 0, 0, "timeout");
    }
}
