package dev.eventbank.support.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JacksonMessagesTest {

    private static final String REDACTED = "[Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); "
            + "line: 1, column: 2]";

    @Test
    void shouldStripTheSourceAndTheWordsLeadingToIt() {
        assertEquals("Unexpected end-of-input: expected close marker for Object",
                JacksonMessages.withoutSource("Unexpected end-of-input: expected close marker for Object (start marker at "
                        + REDACTED + ")"));
        assertEquals("Unexpected character ('n' (code 110)): was expecting double-quote to start field name",
                JacksonMessages.withoutSource("Unexpected character ('n' (code 110)): was expecting double-quote to start "
                        + "field name\n at " + REDACTED));
        assertEquals("Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', "
                        + "'true' or 'false')",
                JacksonMessages.withoutSource("Unrecognized token 'not': was expecting (JSON String, Number, Array, "
                        + "Object or token 'null', 'true' or 'false')\n at [Source: (String)\"not json\"; line: 1, column: 4]"));
        assertEquals("Unexpected end-of-input within/between Object entries",
                JacksonMessages.withoutSource("Unexpected end-of-input within/between Object entries " + REDACTED));
    }

    @Test
    void shouldKeepMessagesWithoutASourceAndEveryOtherPart() {
        // a limit keeps its figures, not the Jackson setting it comes from
        assertEquals("Number value length (1001) exceeds the maximum allowed (1000)",
                JacksonMessages.withoutSource("Number value length (1001) exceeds the maximum allowed (1000, from "
                        + "`StreamReadConstraints.getMaxNumberLength()`)"));
        // a field named like Jackson's text, in quotes, is the client's and stays
        assertEquals("unknown field 'Source'", JacksonMessages.withoutSource("unknown field 'Source'"));
        assertEquals("", JacksonMessages.withoutSource(null));
        assertEquals("", JacksonMessages.withoutSource(""));
    }

    @Test
    void shouldLeaveNoSourceInWhatJacksonItselfSaysAboutMalformedBodies() {
        ObjectMapper mapper = new ObjectMapper();
        for (String body : List.of("{", "{\"a\":", "{\"a\" 1}", "{not json", "[1,", "\"open")) {
            JsonProcessingException e = assertThrows(JsonProcessingException.class, () -> mapper.readTree(body), body);
            for (String message : List.of(e.getMessage(), e.getOriginalMessage())) {
                String stripped = JacksonMessages.withoutSource(message);
                assertFalse(stripped.contains("Source") || stripped.contains("REDACTED") || stripped.contains("line:"),
                        body + ": " + stripped);
                assertFalse(stripped.isBlank(), body + ": " + message);
            }
        }
    }

    @Test
    void shouldNameNoParserFeatureForWhatJacksonRefusesAsNotJson() {
        ObjectMapper mapper = new ObjectMapper();
        // the constructs a more lenient parser would accept: Jackson's message names the feature that would
        for (String body : List.of("{\"amount\":NaN}", "{\"amount\":Infinity}", "{\"amount\":-Infinity}",
                "{\"amount\":+1}", "{\"amount\": // c\n\"1\"}", "{/* c */\"amount\":\"1\"}")) {
            JsonProcessingException e = assertThrows(JsonProcessingException.class, () -> mapper.readTree(body), body);
            for (String message : List.of(e.getMessage(), e.getOriginalMessage())) {
                String stripped = JacksonMessages.withoutSource(message);
                assertFalse(stripped.contains("Feature") || stripped.contains("enable") || stripped.contains("`"),
                        body + ": " + stripped);
                assertFalse(stripped.isBlank(), body + ": " + message);
            }
        }
        assertEquals("Non-standard token 'NaN' (not JSON)", JacksonMessages.withoutSource(
                "Non-standard token 'NaN': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow"));
        assertEquals("Unexpected character ('/' (code 47)): maybe a (non-standard) comment? JSON has no comments",
                JacksonMessages.withoutSource("Unexpected character ('/' (code 47)): maybe a (non-standard) comment? "
                        + "(not recognized as one since Feature 'ALLOW_COMMENTS' not enabled for parser)"));
    }
}
