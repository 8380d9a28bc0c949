package dev.eventbank.command.rest;

import dev.eventbank.schemas.common.AccountType;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The checks on the version 2 request fields: each mistake is a 400 whose detail says what to send. */
class AccountCommandsValidationTest {

    @Test
    void shouldAcceptAnEmailAddressAndRejectWhatIsNotOne() {
        assertEquals("ada@example.com", AccountCommands.email("ada@example.com"));
        assertNull(AccountCommands.email(null));
        for (String bad : new String[] {"ada", "ada@", "@example.com", "ada@example", "a b@example.com", "a@b@c.com"}) {
            CommandProblem problem = assertThrows(CommandProblem.class, () -> AccountCommands.email(bad), bad);
            assertEquals(400, problem.status().getCode());
            assertTrue(problem.getMessage().startsWith("email must be an e-mail address"), problem.getMessage());
        }
    }

    @Test
    void shouldAcceptKnownAccountTypesAndNameThemWhenAnotherIsGiven() {
        assertEquals(AccountType.SAVINGS, AccountCommands.accountType("SAVINGS"));
        assertNull(AccountCommands.accountType(null));
        CommandProblem problem = assertThrows(CommandProblem.class, () -> AccountCommands.accountType("GOLD"));
        assertEquals("accountType must be one of [CHECKING, SAVINGS], got \"GOLD\"", problem.getMessage());
    }

    @Test
    void shouldRejectAReferenceOverTheLimitOrWithControlCharacters() {
        // given
        JsonFields tooLong = JsonFields.parse("{\"reference\":\"" + "x".repeat(141) + "\"}", false, Set.of("reference"));
        // when / then
        CommandProblem length = assertThrows(CommandProblem.class,
                () -> tooLong.optionalText("reference", AccountCommands.MAX_REFERENCE));
        assertEquals("reference must be at most 140 characters, got 141", length.getMessage());
        CommandProblem control = assertThrows(CommandProblem.class, () -> AccountCommands.reference("line\nbreak"));
        assertTrue(control.getMessage().contains("control characters"), control.getMessage());
        assertEquals("invoice 42", AccountCommands.reference("invoice 42"));
    }
}
