package dev.eventbank.command.access;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** A caller as log lines show it: its deciding role and its subject, never a line break of the subject's. */
class CallerTest {

    @Test
    void shouldShowTheSubjectOnOneBoundedLine() {
        Caller forged = new Caller("eve\n2026-12-01 INFO forged line", Set.of("customer"), "Bearer secret");
        Caller longSubject = new Caller("x".repeat(500), Set.of("teller"), null);

        assertEquals("customer:eve<U+000A>2026-12-01 INFO forged line", forged.toString());
        assertFalse(forged.toString().contains("secret"), "the token is never shown");
        assertEquals("teller:" + "x".repeat(64) + "...", longSubject.toString());
    }
}
