package dev.eventbank.command.domain;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * Given events / when command / then events or rejection, for {@link BankAccount}:
 * {@code given(opened).when(withdraw("5")).then(withdrawn("5", "95"))}.
 */
final class DeciderSpec {

    private final List<AccountEvent> history;
    private AccountCommand command;

    private DeciderSpec(List<AccountEvent> history) {
        this.history = history;
    }

    static DeciderSpec given(AccountEvent... history) {
        return new DeciderSpec(List.of(history));
    }

    DeciderSpec when(AccountCommand command) {
        this.command = command;
        return this;
    }

    void then(AccountEvent... expected) {
        Decision decision = decide();
        Decision.Accepted accepted = assertInstanceOf(Decision.Accepted.class, decision, () -> "rejected: " + decision);
        assertEquals(List.of(expected), accepted.events());
    }

    /** Asserts the rejection code and returns the detail, for tests that check the wording. */
    String thenRejects(RejectionCode code) {
        Decision decision = decide();
        Decision.Rejected rejected = assertInstanceOf(Decision.Rejected.class, decision, () -> "accepted: " + decision);
        assertEquals(code, rejected.code(), rejected.detail());
        return rejected.detail();
    }

    private Decision decide() {
        return BankAccount.decide(command, BankAccount.replay(history));
    }
}
