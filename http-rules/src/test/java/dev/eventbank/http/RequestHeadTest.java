package dev.eventbank.http;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP/1.1 rules of {@link RequestHead}. */
class RequestHeadTest {

    private static final List<String> ONE_HOST = List.of("localhost:8080");

    @Test
    void shouldRefuseAMethodNameInAnotherCaseThanTheStandardOne() {
        assertEquals(Optional.of("method names are case-sensitive (RFC 9110 section 9.1): 'post' is not a method of "
                + "this API; send 'POST'"), RequestHead.refusal("post", "POST", 1, 1, ONE_HOST, "/accounts"));
        assertTrue(RequestHead.refusal("Get", "GET", 1, 1, ONE_HOST, "/").isPresent());
        assertEquals(Optional.empty(), RequestHead.refusal("POST", "POST", 1, 1, ONE_HOST, "/accounts"));
        // a method it does not know is the router's to answer
        assertEquals(Optional.empty(), RequestHead.refusal("BREW", null, 1, 1, ONE_HOST, "/"));
    }

    @Test
    void shouldRefuseAnHttp11RequestWithoutExactlyOneHost() {
        assertEquals(Optional.of("an HTTP/1.1 request must have a Host header (RFC 9112 section 3.2)"),
                RequestHead.refusal("GET", "GET", 1, 1, List.of(), "/"));
        assertEquals(Optional.of("Host must be given once, got it on 2 lines (RFC 9112 section 3.2)"),
                RequestHead.refusal("GET", "GET", 1, 1, List.of("a", "b"), "/"));
        // HTTP/1.0 needs none, but may not have two either
        assertEquals(Optional.empty(), RequestHead.refusal("GET", "GET", 1, 0, List.of(), "/"));
        assertTrue(RequestHead.refusal("GET", "GET", 1, 0, List.of("a", "b"), "/").isPresent());
    }

    @Test
    void shouldRefuseATargetThatIsNotAsciiShowingTheCharacterAndItsEncoding() {
        assertEquals(Optional.of("the request target (path and query) must be printable US-ASCII (RFC 3986): 'é' is %C3%A9; "
                        + "percent-encode it as its UTF-8 bytes"),
                RequestHead.refusal("GET", "GET", 1, 1, ONE_HOST, asRead("/accounts?owner=José")));
        assertTrue(RequestHead.refusal("GET", "GET", 1, 1, ONE_HOST, asRead("/accounts?q=😀")).orElseThrow()
                .contains("'😀' is %F0%9F%98%80"));
        // a byte that starts no UTF-8 character is named as a byte
        assertTrue(RequestHead.refusal("GET", "GET", 1, 1, ONE_HOST, "/a\u00e9b").orElseThrow()
                .contains("it has the byte 0xE9"));
        // a direction override is named, not shown; DEL is not printable
        assertTrue(RequestHead.refusal("GET", "GET", 1, 1, ONE_HOST, asRead("/a\u202Eb")).orElseThrow()
                .contains("U+202E is %E2%80%AE"));
        assertTrue(RequestHead.refusal("GET", "GET", 1, 1, ONE_HOST, "/a\u007Fb").orElseThrow()
                .contains("the control character DEL (0x7F)"));
        assertEquals(Optional.empty(), RequestHead.refusal("GET", "GET", 1, 1, ONE_HOST, "/accounts?owner=Jos%C3%A9"));
    }

    @Test
    void shouldRefuseAPercentSignThatStartsNoEncodedByte() {
        for (String target : List.of("/accounts?owner=%", "/accounts?owner=%zz", "/accounts?owner=%4", "/a%g1/b")) {
            assertTrue(RequestHead.refusal("GET", "GET", 1, 1, ONE_HOST, target).orElseThrow()
                    .contains("has a '%' not followed by two hexadecimal digits"), target);
        }
        assertEquals(Optional.of("the request target (path and query) has a '%' not followed by two hexadecimal digits "
                        + "('%zz'): send a % itself as %25 (RFC 3986 section 2.1)"),
                RequestHead.refusal("GET", "GET", 1, 1, ONE_HOST, "/accounts?owner=%zz"));
        assertEquals(Optional.empty(), RequestHead.refusal("GET", "GET", 1, 1, ONE_HOST, "/accounts?owner=100%25"));
    }

    /** {@code target} as Netty reads it: its UTF-8 bytes, one character each. */
    private static String asRead(String target) {
        return new String(target.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    @Test
    void shouldRefuseAnotherMajorVersionAHostThatIsNoHostAndAMissingHostFromHttp11On() {
        assertTrue(RequestHead.refusal("GET", "GET", 2, 0, List.of(), "/").orElseThrow()
                .startsWith("this API speaks HTTP/1.1 and HTTP/1.0, the request line names HTTP/2.0"));
        // a later 1.x is read as 1.1 (RFC 9110 section 2.5): it needs a Host
        assertTrue(RequestHead.refusal("GET", "GET", 1, 2, List.of(), "/").isPresent());
        for (String host : List.of("a b", "a, b", "x Host: y", "a/b", "[::1")) {
            assertTrue(RequestHead.refusal("GET", "GET", 1, 1, List.of(host), "/").orElseThrow()
                    .contains("is not a host with an optional port"), host);
        }
        for (String host : List.of("localhost", "localhost:8080", "127.0.0.1:8082", "[::1]:8080", "", "a,b", "caf%C3%A9")) {
            assertEquals(Optional.empty(), RequestHead.refusal("GET", "GET", 1, 1, List.of(host), "/"), host);
        }
    }

    @Test
    void shouldRefuseAControlCharacterAndPercentEncodedBytesThatAreNotUtf8() {
        assertTrue(RequestHead.refusal("GET", "GET", 1, 1, ONE_HOST, "/health?x=a\u0001b").orElseThrow()
                .contains("it has the control character 0x01"));
        assertEquals(Optional.of("the path is not valid UTF-8: percent-encode the UTF-8 bytes of its text (RFC 3986)"),
                RequestHead.refusal("GET", "GET", 1, 1, ONE_HOST, "/subjects/%FF/versions"));
        for (String query : List.of("owner=%FF%FE", "%FF=1", "owner=a%C3", "status=OPEN&owner=%E9")) {
            assertTrue(RequestHead.refusal("GET", "GET", 1, 1, ONE_HOST, "/accounts?" + query).orElseThrow()
                    .endsWith("is not valid UTF-8: percent-encode the UTF-8 bytes of its text (RFC 3986)"), query);
        }
        assertEquals(Optional.of("query parameter 'owner' is not valid UTF-8: percent-encode the UTF-8 bytes of its text "
                + "(RFC 3986)"), RequestHead.refusal("GET", "GET", 1, 1, ONE_HOST, "/accounts?owner=%FF%FE"));
        for (String target : List.of("/accounts?owner=Jos%C3%A9", "/accounts?owner=%E2%82%AC%20x", "/accounts?limit=5",
                "/subjects/caf%C3%A9/versions", "http://localhost:8082/accounts?owner=a%20b")) {
            assertEquals(Optional.empty(), RequestHead.refusal("GET", "GET", 1, 1, ONE_HOST, target), target);
        }
    }
}
