package dev.eventbank.command.rest;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonFieldsTest {

    @Test
    void shouldDescribeMalformedJsonWithoutThePartsThatDescribeTheParser() {
        for (String body : List.of("{", "{\"amount\":", "{\"amount\" 1}", "[1]x", "{\"amount\":\"1\"")) {
            CommandProblem problem = assertThrows(CommandProblem.class,
                    () -> JsonFields.parse(body, false, Set.of("amount")), body);
            String detail = problem.getMessage();
            assertTrue(detail.startsWith("malformed JSON") || detail.startsWith("the request body"), body + ": " + detail);
            assertFalse(detail.contains("Source") || detail.contains("StreamReadFeature") || detail.contains("REDACTED"),
                    body + ": " + detail);
        }
        CommandProblem unclosed = assertThrows(CommandProblem.class, () -> JsonFields.parse("{", false, Set.of("amount")));
        assertTrue(unclosed.getMessage().contains("at line 1, column 2"), unclosed.getMessage());
    }
}
