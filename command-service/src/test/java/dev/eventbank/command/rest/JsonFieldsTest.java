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

    @Test
    void shouldNameAFieldOnlyForAnErrorInItsValue() {
        // text after the object, and a missing comma, are not in the field read before them
        for (String body : List.of("{\"amount\":\"1\"} x", "{\"amount\":\"1\" \"reference\":\"r\"}")) {
            String detail = assertThrows(CommandProblem.class,
                    () -> JsonFields.parse(body, false, Set.of("amount", "reference")), body).getMessage();
            assertFalse(detail.contains("in field"), body + ": " + detail);
        }
        // a value nested past the parser's limit is in its field, and the limit is named without Jackson's setting
        String deep = "{\"reference\":" + "[".repeat(1100) + "]".repeat(1100) + "}";
        String detail = assertThrows(CommandProblem.class,
                () -> JsonFields.parse(deep, false, Set.of("amount", "reference"))).getMessage();
        assertTrue(detail.startsWith("malformed JSON in field 'reference'"), detail);
        assertTrue(detail.contains("exceeds the maximum allowed (1000)"), detail);
        assertFalse(detail.contains("StreamReadConstraints"), detail);
    }
}
