package dev.eventbank.support.http;

import dev.eventbank.support.problem.ProblemException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JSON body rule: media type and charset (415), UTF-8 bytes (400). */
class JsonBodyTest {

    private static final byte[] BODY = "{\"amount\":\"1\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void shouldTakeApplicationJsonWithoutOrWithAUtf8Charset() {
        for (String type : List.of("application/json", "Application/JSON", "application/json; charset=utf-8",
                "application/json;charset=UTF-8", "application/json; charset=\"utf-8\"", " application/json ")) {
            assertEquals("{\"amount\":\"1\"}", JsonBody.utf8(type, BODY), type);
        }
    }

    @Test
    void shouldAnswer415ForAMissingEmptyUnparseableOrOtherContentTypeOrCharset() {
        for (String type : Arrays.asList(null, "", "  ", "text/plain", "application/xml", "application/json-seq",
                "application/json; charset=nonsense", "application/json; charset=", "application/json; charset=latin1",
                "application/json; charset=utf-16", "application/json; =x", "application/json; charset", ";;;", "%%%",
                "application/json; ch@rset=utf-8")) {
            ProblemException problem = assertThrows(ProblemException.class, () -> JsonBody.utf8(type, BODY), type);
            assertEquals(415, problem.status().getCode(), type);
            assertEquals("/problems/unsupported-media-type", problem.type());
        }
    }

    @Test
    void shouldAnswer400ForBytesThatAreNotUtf8() {
        byte[] latin1 = "{\"owner\":\"Jos\u00e9 Bad\"}".getBytes(StandardCharsets.ISO_8859_1);
        byte[] encodedSurrogate = {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'};
        byte[] overlong = {'"', (byte) 0xC0, (byte) 0xAF, '"'};
        byte[] truncated = {'"', (byte) 0xF0, (byte) 0x9F, (byte) 0x92};
        for (byte[] body : List.of(latin1, encodedSurrogate, overlong, truncated)) {
            ProblemException problem = assertThrows(ProblemException.class,
                    () -> JsonBody.utf8("application/json", body));
            assertEquals(400, problem.status().getCode());
            assertTrue(problem.getMessage().contains("not valid UTF-8"), problem.getMessage());
        }
    }

    @Test
    void shouldNotLookAtTheContentTypeWhenThereIsNoBody() {
        assertNull(JsonBody.utf8(null, null));
        assertNull(JsonBody.utf8("text/plain", new byte[0]));
    }
}
