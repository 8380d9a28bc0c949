package dev.eventbank.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.support.testing.ServiceUnderTest;
import dev.eventbank.testbroker.DecidedOffsets;
import dev.eventbank.testbroker.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command service's HTTP edge as deployed (Micronaut, the write path, the real broker): the JSON body rule (415, UTF-8), the
 * correlation id rule on every response, 414/431, If-Match compared strongly, the fingerprint of an absent field,
 * and that a refused request appends nothing (the event log's end offsets are the judge). Requests go out on a raw
 * socket, byte for byte, so that a missing or malformed Content-Type and invalid UTF-8 reach the service as sent.
 */
class CommandInputIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ServiceUnderTest service;
    private static final String TELLER = ServiceUnderTest.bearer("teller", "it-teller");
    private static String account;

    @BeforeAll
    static void startService() throws Exception {
        // the JVM's one registry: the writers of every test's service restore whole partitions of the shared topics
        service = ServiceUnderTest.start("command-input-it");
        service.awaitHealthy(Duration.ofSeconds(60));
        Answer opened = post("/accounts", json("{\"owner\":\"Input Test\",\"currency\":\"EUR\",\"initialDeposit\":\"10\"}"),
                Map.of("Content-Type", "application/json"));
        assertEquals(201, opened.status, opened.body);
        account = JSON.readTree(opened.body).path("accountId").asText();
    }

    @AfterAll
    static void stopService() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void shouldAnswer415ForABodyWithoutAJsonContentTypeOrWithAnotherCharsetAndAppendNothing() throws Exception {
        for (String path : List.of("/accounts", "/accounts/" + account + "/deposits",
                "/accounts/" + account + "/withdrawals", "/accounts/" + account + "/close")) {
            for (String contentType : new String[] {null, "", "application/json; charset=nonsense",
                    "application/json; charset=", "application/json; charset=latin1", "text/plain", ";;", "application"}) {
                // given
                long eventsBefore = endOffsets();
                Map<String, String> headers = new LinkedHashMap<>();
                if (contentType != null) {
                    headers.put("Content-Type", contentType);
                }
                headers.put("X-Correlation-Id", "ct-" + Math.abs(String.valueOf(contentType).hashCode()));

                // when
                Answer answer = post(path, json("{\"amount\":\"1\"}"), headers);

                // then
                assertProblem(answer, 415, path + " with Content-Type " + contentType);
                assertEquals("/problems/unsupported-media-type", JSON.readTree(answer.body).path("type").asText());
                assertEquals(headers.get("X-Correlation-Id"), answer.headers.get("x-correlation-id"));
                assertEquals(eventsBefore, endOffsets(), "appended for " + path + " " + contentType);
            }
        }
    }

    @Test
    void shouldAnswer400ForInvalidUtf8OrALoneSurrogateAndAppendNothing() throws Exception {
        // given: "Jos" + byte E9 (Latin-1 é) + " Bad", and a lone surrogate escaped in JSON
        byte[] latin1 = "{\"owner\":\"Jos\u00e9 Bad\",\"currency\":\"EUR\",\"initialDeposit\":\"1\"}"
                .getBytes(StandardCharsets.ISO_8859_1);
        byte[] surrogate = json("{\"owner\":\"\\ud800\",\"currency\":\"EUR\",\"initialDeposit\":\"1\"}");
        byte[] surrogateReference = json("{\"amount\":\"1\",\"reference\":\"a\\udc00\"}");
        long eventsBefore = endOffsets();

        // when
        Answer invalid = post("/accounts", latin1, Map.of("Content-Type", "application/json", "Idempotency-Key", "utf8-" + UUID.randomUUID()));
        Answer lone = post("/accounts", surrogate, Map.of("Content-Type", "application/json"));
        Answer loneReference = post("/accounts/" + account + "/deposits", surrogateReference,
                Map.of("Content-Type", "application/json; charset=UTF-8"));

        // then
        assertProblem(invalid, 400, "Latin-1 body");
        assertTrue(JSON.readTree(invalid.body).path("detail").asText().contains("not valid UTF-8"), invalid.body);
        assertProblem(lone, 400, "lone surrogate");
        assertTrue(JSON.readTree(lone.body).path("detail").asText().startsWith("owner must not contain a lone surrogate"), lone.body);
        assertProblem(loneReference, 400, "lone surrogate in reference");
        assertEquals(eventsBefore, endOffsets());
    }

    @Test
    void shouldEchoTheCorrelationIdOnEveryProblemAndRefuseAMalformedOne() throws Exception {
        // given
        Map<String, String> json = Map.of("Content-Type", "application/json", "X-Correlation-Id", "echo-me");

        // when
        Map<String, Answer> answers = new LinkedHashMap<>();
        answers.put("400", post("/accounts/" + account + "/deposits", json("{\"amount\":\"ten\"}"), json));
        answers.put("404", post("/accounts/not-a-uuid/deposits", json("{\"amount\":\"1\"}"), json));
        answers.put("405", send("GET", "/accounts", null, Map.of("X-Correlation-Id", "echo-me")));
        answers.put("413", post("/accounts/" + account + "/deposits",
                json("{\"amount\":\"1\",\"pad\":\"" + "x".repeat(17 * 1024) + "\"}"), json));
        answers.put("415", post("/accounts", json("{}"), Map.of("Content-Type", "text/plain", "X-Correlation-Id", "echo-me")));
        answers.put("404 route", send("GET", "/nowhere/" + UUID.randomUUID(), null, Map.of("X-Correlation-Id", "echo-me")));
        Answer withSpace = post("/accounts/" + account + "/deposits", json("{\"amount\":\"1\"}"),
                Map.of("Content-Type", "application/json", "X-Correlation-Id", "has space"));
        Answer tooLong = post("/accounts/" + account + "/deposits", json("{\"amount\":\"1\"}"),
                Map.of("Content-Type", "application/json", "X-Correlation-Id", "x".repeat(201)));

        // then
        for (var answer : answers.entrySet()) {
            int status = Integer.parseInt(answer.getKey().split(" ")[0]);
            assertProblem(answer.getValue(), status, answer.getKey());
            assertEquals("echo-me", answer.getValue().headers.get("x-correlation-id"), answer.getKey());
        }
        for (Answer refused : List.of(withSpace, tooLong)) {
            assertProblem(refused, 400, "malformed correlation id");
            assertTrue(JSON.readTree(refused.body).path("detail").asText().startsWith("X-Correlation-Id must be 1 to 200"),
                    refused.body);
        }
    }

    @Test
    void shouldAnswer414And431ProblemsForAnOverLongUrlOrHeaders() throws Exception {
        // when
        Answer longUrl = post("/accounts/" + account + "/deposits?" + "q".repeat(10_000), json("{\"amount\":\"1\"}"),
                Map.of("Content-Type", "application/json", "X-Correlation-Id", "long-url"));
        Answer longPath = post("/accounts/" + "a".repeat(9_000) + "/deposits", json("{\"amount\":\"1\"}"),
                Map.of("Content-Type", "application/json"));
        Answer bigHeaders = post("/accounts/" + account + "/deposits", json("{\"amount\":\"1\"}"),
                Map.of("Content-Type", "application/json", "X-Filler", "f".repeat(20_000)));

        // then
        assertProblem(longUrl, 414, "long URL");
        assertEquals("/problems/uri-too-long", JSON.readTree(longUrl.body).path("type").asText());
        assertProblem(longPath, 414, "long path");
        assertTrue(JSON.readTree(longPath.body).path("detail").asText().contains("shorten the URL"), longPath.body);
        assertProblem(bigHeaders, 431, "big headers");
        assertEquals("/problems/header-fields-too-large", JSON.readTree(bigHeaders.body).path("type").asText());
    }

    @Test
    void shouldAnswerAnOpenWhoseIfMatchNamesAVersionWithoutNamingAnAccount() throws Exception {
        // when: an open that says the account is at version 5 (it does not exist yet)
        long eventsBefore = endOffsets();
        String body = "{\"owner\":\"If Match Open\",\"currency\":\"EUR\",\"initialDeposit\":\"10\"}";
        Answer refused = post("/accounts", json(body), Map.of("Content-Type", "application/json", "If-Match", "\"5\""));

        // then: a conflict that names no account (the id it would have had names none) and says what to send
        assertProblem(refused, 409, "If-Match \"5\" on an open");
        JsonNode problem = JSON.readTree(refused.body);
        assertFalse(problem.has("accountId"), refused.body);
        assertEquals(0, problem.path("currentVersion").asLong(), refused.body);
        assertEquals("an account being opened has no version yet: send If-Match: \"0\" or no If-Match",
                problem.path("detail").asText());
        assertEquals(eventsBefore, endOffsets());
        // and what it says to send opens the account
        Answer opened = post("/accounts", json(body), Map.of("Content-Type", "application/json", "If-Match", "\"0\""));
        assertEquals(201, opened.status, opened.body);
    }

    @Test
    void shouldAnswer409ForAnIfMatchThatIsNotExactlyTheETagAndAppendNothing() throws Exception {
        // given: an account at version 1
        Answer opened = post("/accounts", json("{\"owner\":\"If Match\",\"currency\":\"EUR\",\"initialDeposit\":\"10\"}"),
                Map.of("Content-Type", "application/json"));
        String id = JSON.readTree(opened.body).path("accountId").asText();
        assertEquals("\"1\"", opened.headers.get("etag"));

        for (String ifMatch : List.of("\"01\"", "W/\"1\"", "\"1.0\"", "\"+1\"")) {
            // when
            long eventsBefore = endOffsets();
            Answer answer = post("/accounts/" + id + "/deposits", json("{\"amount\":\"1\"}"),
                    Map.of("Content-Type", "application/json", "If-Match", ifMatch));
            // then
            assertProblem(answer, 409, "If-Match " + ifMatch);
            assertEquals(1, JSON.readTree(answer.body).path("currentVersion").asLong(), answer.body);
            // the detail says why it never matches, not "expected version -1"
            String detail = JSON.readTree(answer.body).path("detail").asText();
            // (the account id, random, may itself hold "-1": it is taken out before looking)
            assertTrue(detail.startsWith("If-Match names no version of account " + id)
                    && !detail.replace(id, "").contains("-1"), detail);
            assertEquals(eventsBefore, endOffsets(), "appended for If-Match " + ifMatch);
        }
        // the exact ETag matches
        Answer exact = post("/accounts/" + id + "/deposits", json("{\"amount\":\"1\"}"),
                Map.of("Content-Type", "application/json", "If-Match", "\"1\""));
        assertEquals(200, exact.status, exact.body);
        assertProblem(post("/accounts/" + id + "/deposits", json("{\"amount\":\"1\"}"),
                Map.of("Content-Type", "application/json", "If-Match", "*")), 400, "If-Match *");
    }

    @Test
    void shouldAnswer400ForAQueryParameterOrARepeatedCommandHeaderAndAppendNothing() throws Exception {
        Map<String, Answer> answers = new java.util.LinkedHashMap<>();
        long eventsBefore = endOffsets();
        // no command takes a query parameter: an idempotency key there would be silently ignored
        answers.put("?idempotencyKey", post("/accounts/" + account + "/deposits?idempotencyKey=k1",
                json("{\"amount\":\"1\"}"), Map.of("Content-Type", "application/json")));
        answers.put("?x on open", post("/accounts?x=1", json("{\"owner\":\"Q\",\"currency\":\"EUR\",\"initialDeposit\":\"1\"}"),
                Map.of("Content-Type", "application/json")));
        answers.put("?amount on close", post("/accounts/" + account + "/close?amount=1", null, Map.of()));
        // a header given on two lines (this client writes the request byte for byte: the value carries the line break)
        answers.put("two If-Match lines", post("/accounts/" + account + "/deposits", json("{\"amount\":\"1\"}"),
                Map.of("Content-Type", "application/json", "If-Match", "\"1\"\r\nIf-Match: \"2\"")));
        answers.put("two Idempotency-Key lines", post("/accounts/" + account + "/deposits", json("{\"amount\":\"1\"}"),
                Map.of("Content-Type", "application/json", "Idempotency-Key", "k2\r\nIdempotency-Key: k3")));

        answers.forEach((what, answer) -> {
            try {
                assertProblem(answer, 400, what);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertTrue(JSON.readTree(answers.get("?idempotencyKey").body).path("detail").asText()
                .startsWith("commands take no query parameters, got 'idempotencyKey'"), answers.get("?idempotencyKey").body);
        assertTrue(JSON.readTree(answers.get("two If-Match lines").body).path("detail").asText()
                .startsWith("If-Match must be given once"), answers.get("two If-Match lines").body);
        assertEquals(eventsBefore, endOffsets());
    }

    @Test
    void shouldRefuseABodyNotInItsContentEncodingOrARepeatedSingleValuedHeaderAndAppendNothing() throws Exception {
        Map<String, Answer> answers = new java.util.LinkedHashMap<>();
        byte[] deposit = json("{\"amount\":\"1\"}");
        long eventsBefore = endOffsets();
        answers.put("gzip named, plain sent", post("/accounts/" + account + "/deposits", deposit,
                Map.of("Content-Type", "application/json", "Content-Encoding", "gzip")));
        answers.put("deflate named, plain sent", post("/accounts/" + account + "/deposits", deposit,
                Map.of("Content-Type", "application/json", "Content-Encoding", "deflate")));
        // a header given on two lines (this client writes the request byte for byte: the value carries the line break)
        answers.put("two Content-Type lines", post("/accounts/" + account + "/deposits", deposit,
                Map.of("Content-Type", "application/json\r\nContent-Type: text/plain")));
        answers.put("two X-Correlation-Id lines", post("/accounts/" + account + "/deposits", deposit,
                Map.of("Content-Type", "application/json", "X-Correlation-Id", "a\r\nX-Correlation-Id: b")));
        // a coding the server does not decode: 415 (RFC 9110 15.5.16), not read as plain
        Map<String, Answer> unsupported = new java.util.LinkedHashMap<>();
        for (String coding : List.of("br", "zstd", "bogus", "identity\r\nContent-Encoding: gzip")) {
            unsupported.put(coding, post("/accounts/" + account + "/deposits", deposit,
                    Map.of("Content-Type", "application/json", "Content-Encoding", coding)));
        }

        for (Map.Entry<String, Answer> answer : answers.entrySet()) {
            assertProblem(answer.getValue(), 400, answer.getKey());
        }
        for (Map.Entry<String, Answer> answer : unsupported.entrySet()) {
            assertProblem(answer.getValue(), 415, answer.getKey());
        }
        // a request without a body is not refused for the header
        Answer noBody = send("GET", "/health", null, Map.of("Content-Encoding", "br"));
        assertEquals(200, noBody.status, noBody.body);
        assertTrue(JSON.readTree(answers.get("gzip named, plain sent").body).path("detail").asText()
                .startsWith("the body is not in the Content-Encoding it names"), answers.get("gzip named, plain sent").body);
        assertTrue(JSON.readTree(answers.get("two Content-Type lines").body).path("detail").asText()
                .startsWith("Content-Type must be given once, got it on 2 lines"), answers.get("two Content-Type lines").body);
        assertEquals(eventsBefore, endOffsets());
        // and a body in the encoding it names is read and applied
        java.io.ByteArrayOutputStream gzipped = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(gzipped)) {
            gzip.write(deposit);
        }
        Answer encoded = post("/accounts/" + account + "/deposits", gzipped.toByteArray(),
                Map.of("Content-Type", "application/json", "Content-Encoding", "gzip"));
        assertEquals(200, encoded.status, encoded.body);
    }

    @Test
    void shouldNegotiateAcceptByRfc9110AnsweringPlainJsonAndRefusingWhatExcludesItWithoutAppending() throws Exception {
        // wildcards, weights and case in Accept: applied, answered with exactly application/json (Micronaut alone
        // answered application/* with 406 and echoed "application/json;q=0.9" as the Content-Type)
        for (String accept : List.of("application/*", "application/json;q=0.9", "APPLICATION/JSON",
                "application/*;q=0.5, text/html", "text/html;q=0.5, application/json", "*/*;q=0, application/json",
                // a weight out of range makes the header invalid: disregarded (Micronaut echoed it as Content-Type)
                "application/json;q=2", "application/json;q=-1")) {
            Answer deposit = post("/accounts/" + account + "/deposits", json("{\"amount\":\"1\"}"),
                    Map.of("Content-Type", "application/json", "Accept", accept));
            assertEquals(200, deposit.status, accept + ": " + deposit.body);
            assertEquals("application/json", deposit.headers.get("content-type"), accept);
        }
        // what accepts nothing JSON (q=0 is "not acceptable", RFC 9110 section 12.4.2), or only another type: 406
        long eventsBefore = endOffsets();
        for (String accept : List.of("*/*;q=0", "application/json;q=0", "*/*, application/json;q=0", "text/html",
                "application/json;q=0, text/html")) {
            Answer refused = post("/accounts/" + account + "/deposits", json("{\"amount\":\"1\"}"),
                    Map.of("Content-Type", "application/json", "Accept", accept));
            assertProblem(refused, 406, accept);
            assertEquals("/problems/not-acceptable", JSON.readTree(refused.body).path("type").asText(), accept);
        }
        assertEquals(eventsBefore, endOffsets());
    }

    @Test
    void shouldRefuseAndCloseARequestWhoseBodyTwoPartiesCouldFrameDifferentlyApplyingNothingSmuggledBehindIt()
            throws Exception {
        // given: a deposit as a proxy framing by Content-Length would pass it on, and one hidden behind it
        String deposit = "{\"amount\":\"1\"}";
        String head = "POST /accounts/" + account + "/deposits HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + TELLER
                + "\r\nContent-Type: application/json\r\n";
        String hidden = head + "Content-Length: " + deposit.length() + "\r\n\r\n" + deposit;
        String chunkedThenHidden = Integer.toHexString(deposit.length()) + "\r\n" + deposit + "\r\n0\r\n\r\n" + hidden;
        Map<String, String> attempts = new LinkedHashMap<>();
        // Content-Length and Transfer-Encoding: Netty read the chunked body, then the hidden deposit as a request
        attempts.put(head + "Content-Length: " + chunkedThenHidden.length() + "\r\nTransfer-Encoding: chunked\r\n\r\n"
                + chunkedThenHidden, "a request has Content-Length or Transfer-Encoding, not both");
        // the same with a request line Netty reads as HTTP/1.1 without being its exact bytes: it kept the length
        for (String version : List.of("http/1.1", "HTTP/1.2")) {
            attempts.put(head.replace("HTTP/1.1", version) + "Content-Length: " + chunkedThenHidden.length()
                    + "\r\nTransfer-Encoding: chunked\r\n\r\n" + chunkedThenHidden,
                    "a request has Content-Length or Transfer-Encoding, not both");
        }
        // a coding Netty does not know: it read no body, and the body as a request
        attempts.put(head + "Transfer-Encoding: xchunked\r\n\r\n" + hidden, "Transfer-Encoding must be chunked alone");
        attempts.put(head + "Transfer-Encoding: gzip, chunked\r\n\r\n" + chunkedThenHidden,
                "Transfer-Encoding must be chunked alone");
        attempts.put(head + "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n" + chunkedThenHidden,
                "Transfer-Encoding must be chunked alone");
        attempts.put(head.replace("HTTP/1.1", "HTTP/1.0") + "Transfer-Encoding: chunked\r\n\r\n" + chunkedThenHidden,
                "an HTTP/1.0 request cannot have a Transfer-Encoding");
        long eventsBefore = endOffsets();

        for (Map.Entry<String, String> attempt : attempts.entrySet()) {
            // when: sent on a connection the client does not close (raw reads until the server closes it)
            String answered = rawText(attempt.getKey());

            // then: one answer, a 400 saying why, and the connection closed after it
            assertEquals(1, answered.split("HTTP/1\\.1 ", -1).length - 1, answered);
            Answer answer = Answer.parse(answered);
            assertProblem(answer, 400, attempt.getKey());
            assertTrue(JSON.readTree(answer.body).path("detail").asText().startsWith(attempt.getValue()), answered);
            assertEquals("close", answer.headers.get("connection"), answered);
        }
        // and nothing was applied, of the request or of what it hid
        assertEquals(eventsBefore, endOffsets());

        // and requests pipelined on one connection are still answered in order, a sound one before a refused one
        String sound = head + "Content-Length: " + deposit.length() + "\r\n\r\n" + deposit;
        String both = rawText(sound + sound + head + "Transfer-Encoding: xchunked\r\n\r\n" + hidden);
        List<String> statuses = java.util.regex.Pattern.compile("HTTP/1\\.1 (\\d{3})").matcher(both).results()
                .map(match -> match.group(1)).toList();
        assertEquals(List.of("200", "200", "400"), statuses, both);
    }

    @Test
    void shouldRunNothingAfterARequestThatClosesTheConnectionNorARequestWhoseChunkedBodyIsMalformed() throws Exception {
        String deposit = "{\"amount\":\"1\"}";
        String head = "POST /accounts/" + account + "/deposits HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + TELLER
                + "\r\nContent-Type: application/json\r\n";
        String sound = head + "Content-Length: " + deposit.length() + "\r\n\r\n" + deposit;
        String closing = head + "Connection: close\r\nContent-Length: " + deposit.length() + "\r\n\r\n" + deposit;
        long before = endOffsets();

        // when: a deposit that closes the connection, with two more behind it (one of them ran, unanswered)
        String answered = rawText(closing + sound + sound);

        // then: one answer, one deposit
        assertEquals(List.of("200"), java.util.regex.Pattern.compile("HTTP/1\\.1 (\\d{3})").matcher(answered).results()
                .map(match -> match.group(1)).toList(), answered);
        long afterClosing = endOffsets();
        assertTrue(afterClosing > before, "the first deposit was not appended");

        // when: a chunked deposit whose JSON is whole but whose next chunk size is no number (it ran on the JSON,
        // and the connection stayed open, answering nothing more)
        String malformed = rawText(head + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(deposit.length())
                + "\r\n" + deposit + "\r\nZZ\r\n\r\n" + sound);

        // then: the connection is closed (raw read to its end) and nothing was appended
        assertFalse(malformed.contains("HTTP/1.1 200"), malformed);
        assertEquals(afterClosing, endOffsets());
    }

    @Test
    void shouldAnswerAMalformedRequestWithAProblemSayingWhatTheDecoderFound() throws Exception {
        for (String request : List.of("GARBAGE\r\n\r\n", "GET /a b c HTTP/1.1\r\nHost: localhost\r\n\r\n",
                "GET /health HTTP/1.1\r\nHost: localhost\r\nBad Header Line\r\n\r\n")) {
            Answer answer = raw(request);
            assertProblem(answer, 400, request);
            String detail = JSON.readTree(answer.body).path("detail").asText();
            assertTrue(detail.startsWith("the request is not valid HTTP/1.1 ("), request + ": " + detail);
        }
    }

    @Test
    void shouldRefuseARequestHeadAgainstHttp11RulesAndApplyNothing() throws Exception {
        long eventsBefore = endOffsets();
        String deposit = "{\"amount\":\"1\"}";
        String body = "Authorization: " + TELLER + "\r\nContent-Type: application/json\r\nContent-Length: "
                + deposit.length() + "\r\nConnection: close\r\n\r\n" + deposit;
        Map<String, String> expected = new LinkedHashMap<>();
        // method names are case-sensitive: "post" was run as POST
        expected.put("post /accounts/" + account + "/deposits HTTP/1.1\r\nHost: localhost\r\n" + body,
                "method names are case-sensitive (RFC 9110 section 9.1): 'post' is not a method of this API; send 'POST'");
        expected.put("POST /accounts/" + account + "/deposits HTTP/1.1\r\n" + body,
                "an HTTP/1.1 request must have a Host header (RFC 9112 section 3.2)");
        expected.put("POST /accounts/" + account + "/deposits HTTP/1.1\r\nHost: a\r\nHost: b\r\n" + body,
                "Host must be given once, got it on 2 lines (RFC 9112 section 3.2)");
        // UTF-8 bytes in the target, not percent-encoded: read one character per byte, they named another account
        expected.put(new String(("POST /accounts/é/deposits HTTP/1.1\r\nHost: localhost\r\n" + body)
                        .getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1),
                "the request target (path and query) must be printable US-ASCII (RFC 3986): 'é' is %C3%A9; "
                        + "percent-encode it as its UTF-8 bytes");
        // a % that starts no encoded byte (was a 400 titled and detailed only "Malformed URI")
        expected.put("POST /accounts/%zz/deposits HTTP/1.1\r\nHost: localhost\r\n" + body,
                "the request target (path and query) has a '%' not followed by two hexadecimal digits ('%zz'): send a % "
                        + "itself as %25 (RFC 3986 section 2.1)");
        for (Map.Entry<String, String> request : expected.entrySet()) {
            Answer answer = raw(request.getKey());
            assertProblem(answer, 400, request.getKey());
            assertEquals(request.getValue(), JSON.readTree(answer.body).path("detail").asText(), request.getKey());
        }
        assertEquals(eventsBefore, endOffsets());
        // an HTTP/1.0 request needs no Host
        Answer old = raw("POST /accounts/" + account + "/deposits HTTP/1.0\r\n" + body);
        assertEquals(200, old.status, old.body);
    }

    private static Answer raw(String request) throws IOException {
        return Answer.parse(rawText(request));
    }

    /** What the service answers to {@code request}'s bytes (ISO-8859-1), read until it closes the connection. */
    private static String rawText(String request) throws IOException {
        try (Socket socket = new Socket("localhost", service.port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            try {
                socket.getInputStream().transferTo(all);
            } catch (java.net.SocketException e) {
                // the server may reset after answering: keep what came
            }
            return all.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void shouldTreatAnAccountNumberOfTheText_null_AsAnotherRequestThanAnAbsentOne() throws Exception {
        // given
        String key = "fp-" + UUID.randomUUID();
        Answer first = post("/accounts", json("{\"owner\":\"Case Fp\",\"currency\":\"EUR\",\"initialDeposit\":\"1\"}"),
                Map.of("Content-Type", "application/json", "Idempotency-Key", key));
        assertEquals(201, first.status, first.body);

        // when
        Answer withNull = post("/accounts", json("{\"owner\":\"Case Fp\",\"currency\":\"EUR\",\"initialDeposit\":\"1\","
                + "\"accountNumber\":\"null\"}"), Map.of("Content-Type", "application/json", "Idempotency-Key", key));

        // then
        assertProblem(withNull, 422, "accountNumber \"null\" with a reused key");
        assertEquals("/problems/idempotency-key-reused", JSON.readTree(withNull.body).path("type").asText());
    }

    @Test
    void shouldAnswer400NamingTheFieldForAnAmountWhoseExponentIsOutOfRange() throws Exception {
        for (String number : List.of("1e2147483648", "1e-2147483649", "0.1e-2147483647")) {
            Answer deposit = post("/accounts/" + account + "/deposits", json("{\"amount\":" + number + "}"),
                    Map.of("Content-Type", "application/json"));
            Answer open = post("/accounts", json("{\"owner\":\"Ada\",\"currency\":\"EUR\",\"initialDeposit\":" + number + "}"),
                    Map.of("Content-Type", "application/json"));
            assertProblem(deposit, 400, "amount " + number);
            assertTrue(JSON.readTree(deposit.body).path("detail").asText().startsWith("amount must"), deposit.body);
            assertProblem(open, 400, "initialDeposit " + number);
            assertTrue(JSON.readTree(open.body).path("detail").asText().startsWith("initialDeposit must"), open.body);
        }
    }

    private static void assertProblem(Answer answer, int status, String what) throws IOException {
        assertEquals(status, answer.status, what + ": " + answer.body);
        assertTrue(answer.headers.getOrDefault("content-type", "").startsWith("application/problem+json"),
                what + ": " + answer.headers);
        JsonNode problem = JSON.readTree(answer.body);
        assertEquals(status, problem.path("status").asInt(), what + ": " + answer.body);
        assertTrue(problem.path("type").asText().startsWith("/problems/"), what + ": " + answer.body);
        assertFalse(problem.path("detail").asText().isBlank(), what + ": " + answer.body);
        assertTrue(answer.headers.containsKey("x-correlation-id"), what + ": no X-Correlation-Id");
    }

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Answer post(String path, byte[] body, Map<String, String> headers) throws IOException {
        return send("POST", path, body, headers);
    }

    /** One request on a connection of its own, written byte for byte (headers as ISO-8859-1), read to the end. */
    private static Answer send(String method, String target, byte[] body, Map<String, String> headers) throws IOException {
        try (Socket socket = new Socket("localhost", service.port())) {
            socket.setSoTimeout(30_000);
            StringBuilder head = new StringBuilder(method).append(' ').append(target)
                    .append(" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
            if (!headers.containsKey("Authorization")) {
                // a teller's request: this class tests input rules, not who may send them (SecurityIT)
                head.append("Authorization: ").append(TELLER).append("\r\n");
            }
            headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
            if (body != null) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            head.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            try {
                socket.getInputStream().transferTo(all);
            } catch (java.net.SocketException e) {
                // the server may reset after answering a request it did not read to the end (413): keep what came
            }
            return Answer.parse(all.toString(StandardCharsets.UTF_8));
        }
    }

    /**
     * Sum of the event log's end offsets (transaction markers included) once every transaction written before the
     * call is decided ({@link DecidedOffsets}): grows with anything appended.
     */
    private static long endOffsets() {
        return DecidedOffsets.of(Map.of("bootstrap.servers", TestBroker.shared().bootstrapServers()),
                Topics.EVENTS.name(), Duration.ofSeconds(10)).values().stream().mapToLong(Long::longValue).sum();
    }

    /** A parsed answer: status, header fields by lower-case name, body (de-chunked). */
    private record Answer(int status, Map<String, String> headers, String body) {

        static Answer parse(String text) {
            int end = text.indexOf("\r\n\r\n");
            String[] lines = text.substring(0, end).split("\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
            String body = text.substring(end + 4);
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                StringBuilder joined = new StringBuilder();
                for (String[] rest = body.split("\r\n", 2); rest.length == 2; ) {
                    int size = Integer.parseInt(rest[0].split(";")[0].trim(), 16);
                    if (size == 0) {
                        break;
                    }
                    byte[] bytes = rest[1].getBytes(StandardCharsets.UTF_8);
                    String chunk = new String(bytes, 0, size, StandardCharsets.UTF_8);
                    joined.append(chunk);
                    rest = rest[1].substring(chunk.length() + 2).split("\r\n", 2);
                }
                body = joined.toString();
            }
            return new Answer(Integer.parseInt(lines[0].split(" ")[1]), headers, body);
        }
    }
}
