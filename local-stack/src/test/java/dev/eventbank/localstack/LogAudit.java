package dev.eventbank.localstack;

import dev.eventbank.schemas.events.AccountOpened;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.events.MoneyDeposited;
import dev.eventbank.schemas.events.MoneyWithdrawn;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The judge of the write side's invariants: the event log of some accounts, read back read_committed
 * ({@link EventLog}) once the test is over, held against itself and against what the clients were told
 * ({@link Deposits.Sent}). What it checks, for every account:
 * <ul>
 *   <li>versions run 1..n, no gap, no duplicate (design invariant 5);</li>
 *   <li>no command applied twice: no command id and no deposit {@code reference} twice in the log;</li>
 *   <li>every event decided on the state before it: each {@code balanceAfter} is the previous balance plus or minus
 *       the amount (an event decided on stale state, say by a zombie, breaks the chain or the versions);</li>
 *   <li>every 2xx names the version at which its own request's event sits (invariants 2 and 3: an acknowledged event
 *       is never lost, and no instance acknowledges what is not committed);</li>
 *   <li>a request refused with a 4xx appended nothing.</li>
 * </ul>
 * Violations are collected and reported together (the first 20), so one failed run shows the whole damage.
 *
 * <p>Limits: it can only find a zombie's late write that is visible read_committed; that is the point (an aborted one
 * is harmless), and {@link EventLog#abortedRecords} counts those for the report. A request without an answer may or
 * may not be in the log; only its uniqueness is checked.
 */
final class LogAudit {

    private final Map<String, List<BankAccountEvent>> events;

    private LogAudit(Map<String, List<BankAccountEvent>> events) {
        this.events = events;
    }

    /** A log given as it is, for testing the judge itself. */
    static LogAudit of(Map<String, List<BankAccountEvent>> events) {
        return new LogAudit(Map.copyOf(events));
    }

    /** Reads the log of {@code accounts} to its current end, read_committed. */
    static LogAudit read(LocalStack stack, Collection<String> accounts) {
        return new LogAudit(EventLog.eventsByAccount(stack, Set.copyOf(accounts)));
    }

    List<BankAccountEvent> eventsOf(String account) {
        return events.getOrDefault(account, List.of());
    }

    long eventCount() {
        return events.values().stream().mapToLong(List::size).sum();
    }

    /** Every invariant above over {@code accounts}, against every answer in {@code requests}. */
    void assertInvariants(Collection<String> accounts, Collection<Deposits.Sent> requests) {
        List<String> violations = new ArrayList<>();
        Map<String, String> commandIds = new HashMap<>();
        Map<String, String> references = new HashMap<>();
        for (String account : accounts) {
            List<BankAccountEvent> log = eventsOf(account);
            if (!versionsOf(log).equals(oneTo(log.size()))) {
                violations.add("versions of " + account + " are not 1.." + log.size() + ": " + versionsOf(log));
            }
            BigDecimal balance = null;
            for (BankAccountEvent event : log) {
                String where = account + " v" + event.getVersion();
                String earlier = commandIds.put(event.getCommandId(), where);
                if (earlier != null) {
                    violations.add("command " + event.getCommandId() + " applied twice: " + earlier + " and " + where);
                }
                if (event.getPayload() instanceof MoneyDeposited deposited && deposited.getReference() != null) {
                    String before = references.put(deposited.getReference(), where);
                    if (before != null) {
                        violations.add("request " + deposited.getReference() + " applied twice: " + before + " and " + where);
                    }
                }
                BigDecimal after = balanceAfter(event);
                if (after == null) {
                    continue;
                }
                BigDecimal expected = balance == null ? after : balance.add(change(event));
                if (expected.compareTo(after) != 0) {
                    violations.add(where + " has balanceAfter " + after + " but the events before it make " + expected);
                }
                balance = after;
            }
        }
        for (Deposits.Sent request : requests) {
            String placed = references.get(request.reference());
            if (request.acknowledged()) {
                String expected = request.account() + " v" + request.version();
                if (!expected.equals(placed)) {
                    violations.add("acknowledged " + request + " but the log has "
                            + (placed == null ? "no event of it" : "it at " + placed));
                }
            } else if (request.refused() && placed != null) {
                violations.add("refused " + request + " but the log has it at " + placed);
            }
        }
        assertEquals(List.of(), violations.subList(0, Math.min(20, violations.size())),
                violations.size() + " violations of the write side's invariants");
    }

    /**
     * The balance after {@code event}: the initial deposit of an opening, the {@code balanceAfter} of a deposit or a
     * withdrawal; {@code null} for an event that leaves the balance alone.
     */
    static BigDecimal balanceAfter(BankAccountEvent event) {
        Object payload = event.getPayload();
        if (payload instanceof AccountOpened opened) {
            return opened.getInitialDeposit();
        } else if (payload instanceof MoneyDeposited deposited) {
            return deposited.getBalanceAfter();
        } else if (payload instanceof MoneyWithdrawn withdrawn) {
            return withdrawn.getBalanceAfter();
        }
        return null;
    }

    private static BigDecimal change(BankAccountEvent event) {
        Object payload = event.getPayload();
        if (payload instanceof MoneyDeposited deposited) {
            return deposited.getAmount();
        } else if (payload instanceof MoneyWithdrawn withdrawn) {
            return withdrawn.getAmount().negate();
        }
        return BigDecimal.ZERO;
    }

    static List<Long> versionsOf(List<BankAccountEvent> events) {
        return events.stream().map(BankAccountEvent::getVersion).toList();
    }

    /** 1, 2, ..., n. */
    static List<Long> oneTo(long n) {
        return LongStream.rangeClosed(1, n).boxed().toList();
    }
}
