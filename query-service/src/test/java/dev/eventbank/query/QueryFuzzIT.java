package dev.eventbank.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbank.support.testing.Fuzz;
import dev.eventbank.support.testing.Fuzz.Choice;
import dev.eventbank.support.testing.Fuzz.Gen;
import dev.eventbank.support.testing.ServiceUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A fuzz test of the query service as deployed (Micronaut, Kafka Streams, the shared real
 * broker), over every endpoint's path, query and headers: whatever arrives, the service answers within seconds,
 * never with a server error, and every 4xx is {@code application/problem+json} with a type of the one catalogue, a
 * detail and the {@code X-Correlation-Id}. The only 5xx allowed is the documented 503 with {@code Retry-After}
 * (a {@code minVersion} that did not become visible, a projection that did not answer).
 *
 * <p>Requests are written on a raw socket, byte for byte, so that what an HTTP client would refuse to send (a
 * malformed percent-escape, a byte above 0x7F in the path, an odd header value) reaches the service too. The
 * projection service is a stand-in here (a JDK HTTP server answering as the projection does), since this test is
 * about the query service's own handling of its input.
 *
 * <p>The requests come from our own small seeded generators ({@link Fuzz}): jqwik, the property-based testing library
 * we would have used, asks AI agents in a message it prints on every run not to use it, and we honour that. Each
 * try's seed is the base seed plus the try's number; a failure names its seed and request, and
 * {@code -Dfuzz.seed=<seed>} replays it.
 *
 * <p>Limits: 300 tries (about 20 s here); request bodies are not generated (the query API has no endpoint that takes
 * one); each try opens a connection of its own; no shrinking of a failing request.
 */
class QueryFuzzIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(10);
    private static final long BASE_SEED = 0x5EED_0E4E_0001L;

    private static final String CUSTOMER = ServiceUnderTest.bearer("customer", "fuzz-customer");

    private static ServiceUnderTest service;
    private static com.sun.net.httpserver.HttpServer projection;

    @BeforeAll
    static void startService() throws Exception {
        projection = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        // answers as the projection's internal API does for an account it does not know, and zero totals
        String zeroTotals = java.util.Base64.getEncoder().encodeToString(dev.eventbank.schemas.serde.AvroSerdes
                .value(dev.eventbank.schemas.readmodel.BankTotals.class, dev.eventbank.schemas.serde.SchemaRegistryClients
                        .forUrl(ServiceUnderTest.sharedRegistryUrl())).serializer().serialize("bank-totals",
                        new dev.eventbank.schemas.readmodel.BankTotals(Map.of(), Map.of(), 0L, java.time.Instant.EPOCH)));
        projection.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            if (path.startsWith("/internal/") && TestSecurity.refusedWithoutCredentials(exchange)) {
                return;
            }
            String answer = path.startsWith("/metrics") ? "{\"measurements\":[]}"
                    : path.endsWith("/events") ? "{\"accountExists\":false,\"events\":[],\"next\":null}"
                    : path.endsWith("/state") ? "{\"outcome\":\"UNKNOWN_ACCOUNT\",\"state\":null,\"currentVersion\":null,\"openedAt\":null}"
                    : "{\"totals\":\"" + zeroTotals + "\"}";
            StandIns.answerJson(exchange, 200, answer);
        });
        projection.start();
        service = ServiceUnderTest.start("query-fuzz-it", TestSecurity.secured(Map.of(
                // a minVersion that never arrives answers 503 after this, not after 5 s
                "eventbank.query.min-version-timeout", "200ms",
                "eventbank.query.projection-url", "http://localhost:" + projection.getAddress().getPort())));
        service.awaitHealthy(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stopService() {
        if (service != null) {
            service.close();
        }
        if (projection != null) {
            projection.stop(0);
        }
    }

    @Test
    void shouldAnswerEveryRequestWithoutAServerErrorAndEvery4xxAsAProblem() {
        Fuzz.forAll(BASE_SEED, 300, QueryFuzzIT::request, request -> {
            // when
            Answer answer = send(request);

            // then
            String context = request + " -> " + answer.status + " " + answer.headers + " " + answer.body;
            assertTrue(answer.status >= 200 && answer.status < 600, context);
            if (answer.status >= 500) {
                assertEquals(503, answer.status, context);
                assertTrue(answer.headers.containsKey("retry-after"), context);
            }
            // a HEAD answer carries no body, so there is no problem document to check
            if (answer.status >= 400 && !request.method().equals("HEAD")) {
                assertTrue(answer.headers.getOrDefault("content-type", "").startsWith("application/problem+json"),
                        context);
                JsonNode problem = JSON.readTree(answer.body);
                assertEquals(answer.status, problem.path("status").asInt(), context);
                assertTrue(problem.path("type").asText().startsWith("/problems/"), context);
                assertFalse(problem.path("detail").asText().isBlank(), context);
            }
            assertTrue(answer.headers.containsKey("x-correlation-id"), context);
        });
    }

    /** One request: method, request target (path and query, as raw bytes) and header fields. */
    record FuzzRequest(String method, String target, Map<String, String> headers) {
        @Override
        public String toString() {
            return method + " " + target + " " + headers;
        }
    }

    private static FuzzRequest request(Gen gen) {
        String method = gen.frequency(
                Choice.of(8, () -> "GET"),
                Choice.of(1, () -> gen.of("HEAD", "POST", "DELETE", "PUT", "OPTIONS", "PATCH")));
        String path = gen.oneOf(
                () -> "/accounts/" + id(gen),
                () -> "/accounts/" + id(gen) + "/events",
                () -> gen.of("/accounts", "/bank/totals", "/projection/lag", "/health", "/browser/", "/swagger/nope"),
                () -> "/" + hostile(gen),
                () -> {
                    String text = hostile(gen);
                    return "/accounts/" + text + "/" + text;
                });
        List<String> names = gen.list(0, 4, () -> gen.of("limit", "after", "status", "owner", "minVersion", "maxWait",
                "asOfVersion", "asOf", "fromVersion", "x", ""));
        StringBuilder query = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            query.append(i == 0 ? "?" : "&").append(names.get(i)).append('=').append(value(gen));
        }
        Map<String, String> headers = new LinkedHashMap<>();
        putIfNotEmpty(headers, "X-Correlation-Id", gen.oneOf(() -> "", () -> headerValue(gen),
                () -> gen.text(1, 220, '!', '~')));
        putIfNotEmpty(headers, "Accept", gen.oneOf(() -> "", () -> headerValue(gen), () -> gen.of("*/*",
                "application/json", "text/html", "application/xml", "application/problem+json", "*/*;q=0")));
        putIfNotEmpty(headers, "If-None-Match", gen.oneOf(() -> "", () -> headerValue(gen)));
        // mostly a teller, who may read everything, so that the parameters are what is fuzzed; else a customer
        // (own accounts only), no token, or a hostile Authorization value
        putIfNotEmpty(headers, "Authorization", gen.frequency(
                Choice.of(6, () -> TestSecurity.TELLER),
                Choice.of(1, () -> CUSTOMER),
                Choice.of(1, () -> ""),
                Choice.of(1, () -> gen.of("Bearer ", "Basic ", "") + headerValue(gen))));
        return new FuzzRequest(method, path + query, headers);
    }

    /** Account ids: real UUIDs in either case, and almost-UUIDs. */
    private static String id(Gen gen) {
        return gen.oneOf(
                () -> gen.uuid().toString(),
                () -> gen.uuid().toString().toUpperCase(Locale.ROOT),
                () -> gen.uuid().toString().substring(1),
                () -> gen.uuid().toString().replace('-', '_'),
                () -> hostile(gen));
    }

    /** Query values: numbers around int and long limits, instants, and hostile text. */
    private static String value(Gen gen) {
        return gen.oneOf(
                () -> gen.of("0", "1", "-1", "500", "501", "1000", "1001", "2147483647", "2147483648", "4294967297",
                        "9223372036854775807", "9223372036854775808", "-9223372036854775809", "1e3", "0x10", "+5",
                        "99999999999999999999999999999999999999"),
                () -> String.valueOf(gen.anyLong()),
                () -> String.valueOf(gen.between(BigInteger.TEN.pow(19).negate(), BigInteger.TEN.pow(30))),
                () -> gen.of("2025-01-01T10:00:00Z", "%2B10000-01-01T00:00:00Z", "+10000-01-01T00:00:00Z",
                        "-999999999-01-01T00:00:00Z", "2025-13-45T99:99:99Z", "OPEN", "CLOSED", "open"),
                () -> hostile(gen));
    }

    /** Text meant to break parsers: percent-escapes (valid, malformed, of control characters and of invalid UTF-8). */
    private static String hostile(Gen gen) {
        return gen.oneOf(
                () -> percentEncode(gen.anyText(30)),
                () -> gen.of("%", "%zz", "%0", "%00", "%0A", "%0D%0A", "%1B%5B31m", "%C3%28", "%E9", "%ED%A0%80",
                        "%F0%9F%92", "%E2%80%8B", "%E2%80%AE", "..", "%2e%2e", "%2F", "a%20b", "+", ";", "*",
                        "%FF%FE", "\u00e9", "%EF%BF%BF"),
                () -> gen.text(0, 40, '!', '~').replace("#", "%23").replace("?", "%3F").replace("&", "%26"));
    }

    /** Header values: visible ASCII, spaces, Latin-1 bytes, very long. */
    private static String headerValue(Gen gen) {
        return gen.oneOf(
                () -> gen.text(0, 60, ' ', '~'),
                () -> gen.text(1, 20, '\u00a0', '\u00ff'),
                () -> gen.text(190, 260, 'a', 'z'),
                () -> gen.of("\"01\"", "W/\"1\"", "*", "\t", "has space", "x".repeat(201)));
    }

    private static String percentEncode(String text) {
        return java.net.URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static void putIfNotEmpty(Map<String, String> fields, String name, String value) {
        if (!value.isEmpty()) {
            fields.put(name, value);
        }
    }

    /** Sends {@code request} on a connection of its own and reads the whole answer; a timeout fails the try. */
    private static Answer send(FuzzRequest request) throws IOException {
        try (Socket socket = new Socket("localhost", service.port())) {
            socket.setSoTimeout((int) ANSWER_WITHIN.toMillis());
            StringBuilder head = new StringBuilder(request.method()).append(' ').append(request.target())
                    .append(" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
            request.headers().forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
            head.append("\r\n");
            OutputStream out = socket.getOutputStream();
            // ISO-8859-1: each char of the target and the values is one byte, as a raw client would send it
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return Answer.read(socket.getInputStream(), request.method().equals("HEAD"));
        }
    }

    /** A parsed HTTP/1.1 answer: status, header fields (lower-case names) and body. */
    private record Answer(int status, Map<String, String> headers, String body) {

        static Answer read(InputStream in, boolean head) throws IOException {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            String[] lines = (end < 0 ? text : text.substring(0, end)).split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line : List.of(lines).subList(1, lines.length)) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            String body = end < 0 || head ? "" : text.substring(end + 4);
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                body = unchunk(body);
            }
            return new Answer(status, headers, body);
        }

        private static String unchunk(String chunked) {
            StringBuilder body = new StringBuilder();
            int at = 0;
            while (at < chunked.length()) {
                int lineEnd = chunked.indexOf("\r\n", at);
                int size = Integer.parseInt(chunked.substring(at, lineEnd).split(";")[0].trim(), 16);
                if (size == 0) {
                    break;
                }
                // sizes count bytes; the bodies here are ASCII or UTF-8 JSON, so decode chunk by chunk on bytes
                byte[] rest = chunked.substring(lineEnd + 2).getBytes(StandardCharsets.UTF_8);
                String chunk = new String(rest, 0, size, StandardCharsets.UTF_8);
                body.append(chunk);
                at = lineEnd + 2 + chunk.length() + 2;
            }
            return body.toString();
        }
    }
}
