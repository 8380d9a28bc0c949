package dev.eventbank.support.http;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The wording of a malformed id or key header's fault ({@link RequestRules#headerValueFault}). */
class RequestRulesTest {

    @Test
    void shouldNameTheFirstNonAsciiByteOfAHeaderNotCountItsBytesAsCharacters() {
        // "é" in UTF-8, as Netty hands a header over: two ISO-8859-1 characters
        String utf8 = new String("é".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);

        assertEquals("the byte 0xC3 at position 1", RequestRules.headerValueFault(utf8));
        assertEquals("the byte 0x7F at position 3", RequestRules.headerValueFault("ab\u007F"));
        assertEquals("a space at position 2", RequestRules.headerValueFault("a b"));
        assertEquals("201 characters", RequestRules.headerValueFault("k".repeat(201)));
        assertEquals("an empty value", RequestRules.headerValueFault(""));
    }
}
