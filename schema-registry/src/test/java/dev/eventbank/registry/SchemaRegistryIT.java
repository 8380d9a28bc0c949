package dev.eventbank.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbank.schemas.events.AccountClosed;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.serde.AvroDeserializer;
import dev.eventbank.schemas.serde.AvroSerializer;
import dev.eventbank.schemas.serde.HttpSchemaRegistryClient;
import dev.eventbank.testbroker.TestBroker;
import io.micronaut.runtime.server.EmbeddedServer;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The registry as deployed: Micronaut over HTTP, stored in a real Kafka broker, answering what Confluent's
 * registry answers. Each test uses its own subjects; the restart test its own topic.
 */
class SchemaRegistryIT {

    private static final String VND = "application/vnd.schemaregistry.v1+json";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String bootstrapServers;
    private static String topic;
    private static EmbeddedServer server;

    @BeforeAll
    static void startRegistry() {
        bootstrapServers = TestBroker.shared().bootstrapServers();
        topic = "_schemas-it-" + UUID.randomUUID();
        server = start(topic);
    }

    @AfterAll
    static void stopRegistry() {
        if (server != null) {
            server.getApplicationContext().close();
        }
    }

    @Test
    void shouldRefuseAndCloseARegistrationWhoseBodyTwoPartiesCouldFrameDifferently() throws Exception {
        // given: a registration framed both by Content-Length and as chunked, with a second one behind its chunks
        String subject = subject("smuggled-value");
        String body = Schemas.body(Schemas.USER_V1);
        String head = "POST /subjects/" + subject + "/versions HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + VND + "\r\n";
        String chunks = Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n"
                + head + "Content-Length: " + body.length() + "\r\n\r\n" + body;
        String request = head + "Content-Length: " + chunks.length() + "\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks;

        // when
        String answered;
        try (java.net.Socket socket = new java.net.Socket("localhost", server.getPort())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            answered = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }

        // then: one answer, Confluent's 400 error saying why, the connection closed after it, nothing registered
        assertTrue(answered.startsWith("HTTP/1.1 400 "), answered);
        assertEquals(1, answered.split("HTTP/1\\.1 ", -1).length - 1, answered);
        assertTrue(answered.toLowerCase(java.util.Locale.ROOT).contains("\r\nconnection: close\r\n"), answered);
        JsonNode error = JSON.readTree(answered.substring(answered.indexOf("\r\n\r\n") + 4));
        assertEquals(400, error.path("error_code").asInt(), answered);
        assertTrue(error.path("message").asText().startsWith("Bad Request: a request has Content-Length or "
                + "Transfer-Encoding, not both"), answered);
        assertEquals(404, get(server, "/subjects/" + subject + "/versions").statusCode());
    }

    @Test
    void shouldServeSchemaByIdVersionAndLookupWhenRegistered() throws Exception {
        // given
        String subject = subject("user-value");
        // when
        HttpResponse<String> registered = post(server, "/subjects/" + subject + "/versions", Schemas.body(Schemas.USER_V1));
        // then
        assertEquals(200, registered.statusCode(), registered.body());
        assertEquals(VND, registered.headers().firstValue("Content-Type").orElse(""));
        int id = json(registered).path("id").asInt();
        String canonical = new Schema.Parser().parse(Schemas.USER_V1).toString();
        assertEquals(canonical, json(get(server, "/schemas/ids/" + id)).path("schema").asText());
        assertEquals("[1]", get(server, "/subjects/" + subject + "/versions").body());
        assertTrue(json(get(server, "/subjects")).toString().contains("\"" + subject + "\""));
        JsonNode latest = json(get(server, "/subjects/" + subject + "/versions/latest"));
        assertEquals(Map.of("subject", subject, "version", 1, "id", id, "schema", canonical),
                JSON.convertValue(latest, Map.class));
        assertEquals(latest, json(get(server, "/subjects/" + subject + "/versions/1")));
        assertEquals(JSON.readTree(canonical), json(get(server, "/subjects/" + subject + "/versions/1/schema")));
        // the bare schema by id, as Confluent serves it (was a 404)
        assertEquals(JSON.readTree(canonical), json(get(server, "/schemas/ids/" + id + "/schema")));
        // the bare schemas are negotiated by Accept as every other answer (they were always labelled v1+json)
        for (String path : List.of("/schemas/ids/" + id + "/schema", "/subjects/" + subject + "/versions/1/schema")) {
            HttpResponse<String> plain = HTTP.send(HttpRequest.newBuilder(uri(server, path)).header("Accept",
                    "application/json").timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("application/json", plain.headers().firstValue("Content-Type").orElse(""), path);
            assertEquals(canonical, plain.body(), path);
        }
        JsonNode lookup = json(post(server, "/subjects/" + subject, Schemas.body(Schemas.USER_V1)));
        assertEquals(latest, lookup);
        // other tests register the same schema: the id is global
        assertTrue(get(server, "/schemas/ids/" + id + "/subjects").body().contains("\"" + subject + "\""));
    }

    @Test
    void shouldReturnSameIdWhenSameSchemaIsRegisteredTwiceOrUnderAnotherSubject() throws Exception {
        // given
        String first = subject("order-value");
        String second = subject("order-key");
        int id = register(server, first, Schemas.USER_B_WITH_DEFAULT);
        // when
        int again = register(server, first, Schemas.USER_B_WITH_DEFAULT);
        int elsewhere = register(server, second, Schemas.USER_B_WITH_DEFAULT);
        int different = register(server, subject("other-value"), "\"bytes\"");
        // then
        assertEquals(id, again);
        assertEquals(id, elsewhere);
        assertNotEquals(id, different);
        assertEquals("[1]", get(server, "/subjects/" + first + "/versions").body());
    }

    @Test
    void shouldRejectWithConfluents409WhenNewFieldHasNoDefault() throws Exception {
        // given the default level, BACKWARD
        String subject = subject("user-value");
        register(server, subject, Schemas.USER_V1);
        // when
        HttpResponse<String> response = post(server, "/subjects/" + subject + "/versions",
                Schemas.body(Schemas.USER_B_WITHOUT_DEFAULT));
        // then
        assertEquals(409, response.statusCode());
        assertEquals(VND, response.headers().firstValue("Content-Type").orElse(""));
        JsonNode body = json(response);
        assertEquals(409, body.path("error_code").asInt());
        assertTrue(body.path("message").asText().startsWith("Schema being registered is incompatible with an earlier "
                + "schema for subject \"" + subject + "\", details: [{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', "
                + "description:'The field 'b' at path '/fields/1' in the new schema has no default value and is missing "
                + "in the old schema', additionalInfo:'b'}, {oldSchemaVersion: 1}"), body.toString());
        assertEquals("[1]", get(server, "/subjects/" + subject + "/versions").body());
    }

    @Test
    void shouldAcceptChangeWhenSubjectLevelAllowsIt() throws Exception {
        // given
        String subject = subject("user-value");
        register(server, subject, Schemas.USER_V1);
        // when FORWARD: an added field without default is fine for old readers
        HttpResponse<String> forward = put(server, "/config/" + subject, "{\"compatibility\":\"FORWARD\"}");
        int v2 = register(server, subject, Schemas.USER_B_WITHOUT_DEFAULT);
        // and NONE: even a type change
        put(server, "/config/" + subject, "{\"compatibility\":\"NONE\"}");
        int v3 = register(server, subject, Schemas.USER_A_AS_INT);
        // then
        assertEquals("{\"compatibility\":\"FORWARD\"}", forward.body());
        assertEquals("{\"compatibilityLevel\":\"NONE\"}", get(server, "/config/" + subject).body());
        assertTrue(v2 > 0 && v3 > v2);
        assertEquals("[1,2,3]", get(server, "/subjects/" + subject + "/versions").body());
        assertEquals("{\"compatibilityLevel\":\"BACKWARD\"}", get(server, "/config").body());
    }

    @Test
    void shouldAnswerCompatibilityCheckWhenAskedVerbose() throws Exception {
        // given
        String subject = subject("user-value");
        register(server, subject, Schemas.USER_V1);
        // when
        HttpResponse<String> compatible = post(server, "/compatibility/subjects/" + subject + "/versions/latest",
                Schemas.body(Schemas.USER_B_WITH_DEFAULT));
        HttpResponse<String> incompatible = post(server, "/compatibility/subjects/" + subject
                + "/versions/1?verbose=true", Schemas.body(Schemas.USER_B_WITHOUT_DEFAULT));
        // then
        assertEquals("{\"is_compatible\":true}", compatible.body());
        JsonNode verdict = json(incompatible);
        assertEquals(false, verdict.path("is_compatible").asBoolean(true));
        assertTrue(verdict.path("messages").get(0).asText().contains("READER_FIELD_MISSING_DEFAULT_VALUE"),
                verdict.toString());
        assertEquals("[1]", get(server, "/subjects/" + subject + "/versions").body());
    }

    @Test
    void shouldDeleteOneVersionAndListDeletedOnesAsConfluentsClientsAsk() throws Exception {
        // given
        String subject = subject("user-value");
        register(server, subject, Schemas.USER_V1);
        register(server, subject, Schemas.USER_B_WITH_DEFAULT);
        // when: Confluent's Java client's deleteSchemaVersion, soft then permanent
        HttpResponse<String> soft = delete(server, "/subjects/" + subject + "/versions/1");
        // then
        assertEquals(200, soft.statusCode(), soft.body());
        assertEquals("1", soft.body());
        assertEquals("[2]", get(server, "/subjects/" + subject + "/versions").body());
        assertEquals("[1,2]", get(server, "/subjects/" + subject + "/versions?deleted=true").body());
        assertEquals("[1]", get(server, "/subjects/" + subject + "/versions?deletedOnly=true").body());
        assertEquals(1, json(get(server, "/subjects/" + subject + "/versions/1?deleted=true")).path("version").asInt());
        assertError(get(server, "/subjects/" + subject + "/versions/1"), 404, 40402);
        assertError(delete(server, "/subjects/" + subject + "/versions/1"), 404, 40406);
        assertError(delete(server, "/subjects/" + subject + "/versions/2?permanent=true"), 404, 40407);
        assertEquals("1", delete(server, "/subjects/" + subject + "/versions/1?permanent=true").body());
        assertEquals("[2]", get(server, "/subjects/" + subject + "/versions?deleted=true").body());
        assertError(delete(server, "/subjects/" + subject + "/versions/1?permanent=yes"), 400, 400);
        // Confluent's subjectPrefix filters the listing; normalize is a flag like the others
        assertEquals("[\"" + subject + "\"]", get(server, "/subjects?subjectPrefix=" + subject).body());
        assertEquals("[]", get(server, "/subjects?subjectPrefix=nobody-" + subject).body());
        assertError(post(server, "/subjects/" + subject + "/versions?normalize=yes", Schemas.body(Schemas.USER_V1)), 400, 400);
        assertEquals(200, post(server, "/subjects/" + subject + "/versions?normalize=true", Schemas.body(Schemas.USER_V1)).statusCode());
    }

    @Test
    void shouldCheckCompatibilityAsConfluentWithLatestOnTransitiveLevelsAndVerboseInvalidSchemas() throws Exception {
        // given: version 1 has a, version 2 drops it, then the subject becomes FORWARD_TRANSITIVE
        String subject = subject("user-value");
        put(server, "/config/" + subject, "{\"compatibility\":\"NONE\"}");
        register(server, subject, Schemas.USER_V1);
        register(server, subject, Schemas.USER_WITHOUT_A);
        put(server, "/config/" + subject, "{\"compatibility\":\"FORWARD_TRANSITIVE\"}");
        // when / then: latest is version 2 alone, the route without a version checks every one
        assertEquals("{\"is_compatible\":true}", post(server, "/compatibility/subjects/" + subject
                + "/versions/latest", Schemas.body(Schemas.USER_WITHOUT_A)).body());
        assertEquals("{\"is_compatible\":false}", post(server, "/compatibility/subjects/" + subject
                + "/versions", Schemas.body(Schemas.USER_WITHOUT_A)).body());
        assertError(post(server, "/compatibility/subjects/nobody-" + subject + "/versions/1",
                Schemas.body(Schemas.USER_V1)), 404, 40402);
        // an invalid schema: 42201, or with verbose an answer saying why
        assertError(post(server, "/compatibility/subjects/" + subject + "/versions/latest",
                Schemas.body("{\"type\":\"recrod\"}")), 422, 42201);
        JsonNode verbose = json(post(server, "/compatibility/subjects/" + subject + "/versions/latest?verbose=true",
                Schemas.body("{\"type\":\"recrod\"}")));
        assertFalse(verbose.path("is_compatible").asBoolean(true), verbose.toString());
        assertTrue(verbose.path("messages").get(0).asText().startsWith("Invalid schema"), verbose.toString());
        // a permanent delete takes the subject's level with it; a level it does not have is "subject not found"
        assertEquals(200, delete(server, "/subjects/" + subject).statusCode());
        assertEquals(200, delete(server, "/subjects/" + subject + "?permanent=true").statusCode());
        assertError(get(server, "/config/" + subject), 404, 40408);
        assertError(delete(server, "/config/" + subject), 404, 40401);
    }

    @Test
    void shouldAnswerConfluentErrorCodesWhenRequestIsWrong() throws Exception {
        // given
        String subject = subject("user-value");
        register(server, subject, Schemas.USER_V1);
        // when / then
        assertError(get(server, "/subjects/nobody-" + subject + "/versions"), 404, 40401);
        assertError(get(server, "/subjects/" + subject + "/versions/9"), 404, 40402);
        assertError(get(server, "/subjects/" + subject + "/versions/first"), 422, 42202);
        assertError(get(server, "/schemas/ids/987654"), 404, 40403);
        assertError(post(server, "/subjects/" + subject, Schemas.body("\"long\"")), 404, 40403);
        assertError(post(server, "/subjects/" + subject + "/versions", Schemas.body("{\"type\":\"recrod\"}")), 422, 42201);
        assertError(post(server, "/subjects/" + subject + "/versions",
                "{\"schema\":\"syntax = \\\"proto3\\\";\",\"schemaType\":\"PROTOBUF\"}"), 422, 42201);
        assertError(put(server, "/config/" + subject, "{\"compatibility\":\"SIDEWAYS\"}"), 422, 42203);
        assertError(get(server, "/config/" + subject), 404, 40408);
        assertEquals("{\"compatibilityLevel\":\"BACKWARD\"}",
                get(server, "/config/" + subject + "?defaultToGlobal=true").body());
    }

    @Test
    void shouldAnswerClientErrorWithConfluentBodyWhenJsonIsMalformed() throws Exception {
        // given
        String path = "/subjects/" + subject("user-value") + "/versions";
        // when
        List<HttpResponse<String>> responses = List.of(
                post(server, path, "{\"schema\": "),
                post(server, path, "[1,2]"),
                post(server, path, "[\"a\"]"),
                post(server, path, "{not json"),
                post(server, path, "{\"schema\":{\"type\":\"string\"}}"),
                post(server, path, ""),
                put(server, "/config", "not json"));
        // then
        for (HttpResponse<String> response : responses) {
            assertTrue(response.statusCode() == 400 || response.statusCode() == 422, response.body());
            assertEquals(VND, response.headers().firstValue("Content-Type").orElse(""));
            JsonNode body = json(response);
            assertEquals(response.statusCode(), body.path("error_code").asInt() / (body.path("error_code").asInt() > 999 ? 100 : 1));
            String message = body.path("message").asText();
            assertTrue(!message.isBlank(), response.body());
            // about the body, not the parser's source or the registry's classes
            assertFalse(message.contains("Source") || message.contains("StreamReadFeature") || message.contains("dev.eventbank")
                    || message.contains("[request]"),
                    response.body());
        }
        assertError(get(server, "/no/such/route"), 404, 404);
    }

    @Test
    void shouldAnswer414ForAnOverLongPathOrQueryAnd431ForOverLargeHeaders() throws Exception {
        // when: a subject of 9,000 characters, a query of 9,000, headers of 20,000 bytes (limits: 4096 and 8 KB)
        HttpResponse<String> longSubject = get(server, "/subjects/" + "s".repeat(9_000) + "/versions");
        HttpResponse<String> longQuery = get(server, "/subjects?subjectPrefix=" + "q".repeat(9_000));
        HttpResponse<String> bigHeaders = send(server, HttpRequest.newBuilder(uri(server, "/subjects"))
                .header("X-Filler", "f".repeat(20_000)).GET());

        // then: Confluent's body with the status as error_code, saying what to shorten; never 413 (about bodies)
        for (HttpResponse<String> response : List.of(longSubject, longQuery)) {
            assertError(response, 414, 414);
            assertEquals(VND, response.headers().firstValue("Content-Type").orElse(""));
            assertTrue(json(response).path("message").asText().contains("shorten the URL"), response.body());
        }
        assertError(bigHeaders, 431, 431);
        assertTrue(json(bigHeaders).path("message").asText().contains("fewer or shorter headers"), bigHeaders.body());
    }

    @Test
    void shouldAnswerAMalformedRequestWithConfluentsBodySayingWhatTheDecoderFound() throws Exception {
        for (String request : List.of("GARBAGE\r\n\r\n", "GET /a b c HTTP/1.1\r\nHost: localhost\r\n\r\n",
                "GET /subjects HTTP/1.1\r\nHost: localhost\r\nBad Header Line\r\n\r\n")) {
            // when: bytes Netty's HTTP decoder refuses (Micronaut's message was "Bad Request")
            String answer = raw(request);

            // then
            // (HTTP/1.0 where the request's version could not be read)
            assertTrue(answer.matches("(?s)HTTP/1\\.[01] 400 .*"), request + ": " + answer);
            assertTrue(answer.toLowerCase(java.util.Locale.ROOT).contains("content-type: " + VND), answer);
            JsonNode body = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
            assertEquals(400, body.path("error_code").asInt(), answer);
            assertTrue(body.path("message").asText().startsWith("Bad Request: the request is not valid HTTP/1.1 ("),
                    request + ": " + answer);
        }
    }

    @Test
    void shouldRefuseARequestHeadAgainstHttp11RulesWithConfluentsBody() throws Exception {
        Map<String, String> expected = new java.util.LinkedHashMap<>();
        expected.put("get /subjects HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
                "method names are case-sensitive (RFC 9110 section 9.1): 'get' is not a method of this API; send 'GET'");
        expected.put("GET /subjects HTTP/1.1\r\nConnection: close\r\n\r\n",
                "an HTTP/1.1 request must have a Host header (RFC 9112 section 3.2)");
        // UTF-8 bytes in the target, not percent-encoded: read one character per byte, they named another subject
        expected.put(new String("GET /subjects/é/versions HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8), java.nio.charset.StandardCharsets.ISO_8859_1),
                "the request target (path and query) must be printable US-ASCII (RFC 3986): 'é' is %C3%A9; "
                        + "percent-encode it as its UTF-8 bytes");
        // a % that starts no encoded byte (Micronaut's message was "Malformed URI")
        expected.put("GET /subjects/%zz/versions HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
                "the request target (path and query) has a '%' not followed by two hexadecimal digits ('%zz'): send a % "
                        + "itself as %25 (RFC 3986 section 2.1)");
        for (Map.Entry<String, String> request : expected.entrySet()) {
            String answer = raw(request.getKey());
            assertTrue(answer.startsWith("HTTP/1.1 400 "), request.getKey() + ": " + answer);
            JsonNode body = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
            assertEquals(400, body.path("error_code").asInt(), answer);
            assertEquals("Bad Request: " + request.getValue(), body.path("message").asText(), request.getKey());
        }
    }

    @Test
    void shouldAnswerAnIdThatIsNoWholeNumberAsASchemaNotFoundSayingWhatIdsLookLike() throws Exception {
        for (String id : List.of("abc", "99999999999", "1.5")) {
            for (String path : List.of("/schemas/ids/" + id, "/schemas/ids/" + id + "/subjects",
                    "/schemas/ids/" + id + "/versions", "/schemas/ids/" + id + "/schema")) {
                HttpResponse<String> response = get(server, path);
                assertError(response, 404, 40403);
                assertTrue(json(response).path("message").asText().contains("schema ids are whole numbers"),
                        path + ": " + response.body());
            }
        }
    }

    @Test
    void shouldRefuseACrossOriginRequestWithConfluentsBody() throws Exception {
        // when: a page of another origin reads (Micronaut's CORS filter refuses it with a bare 403, no CORS set)
        HttpResponse<String> crossOrigin = send(server, HttpRequest.newBuilder(uri(server, "/subjects"))
                .header("Origin", "http://evil.example").GET());
        HttpResponse<String> sameHost = send(server, HttpRequest.newBuilder(uri(server, "/subjects"))
                .header("Origin", "http://localhost:" + server.getPort()).GET());

        // then: still refused, now with a message saying why; a page of the registry's own origin reads as before
        assertError(crossOrigin, 403, 403);
        assertTrue(json(crossOrigin).path("message").asText().startsWith("Forbidden: cross-origin requests are refused"),
                crossOrigin.body());
        assertEquals(200, sameHost.statusCode(), sameHost.body());
    }

    /** Sends {@code request} as bytes and reads the answer until the server closes the connection. */
    private static String raw(String request) throws IOException {
        try (java.net.Socket socket = new java.net.Socket("localhost", server.getPort())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            try {
                socket.getInputStream().transferTo(all);
            } catch (java.net.SocketException e) {
                // the server may reset after answering: keep what came
            }
            return all.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void shouldRefuseASubjectNameWithAControlCharacterWithConfluents42208AndStoreNothing() throws Exception {
        // given: names Confluent refuses (QualifiedSubject.isValidSubject: no control characters)
        String tag = UUID.randomUUID().toString().substring(0, 8);
        List<String> encodedNames = List.of("nul%00" + tag, "newline%0A" + tag, "tab%09" + tag, "del%7F" + tag);
        for (String encoded : encodedNames) {
            // when
            HttpResponse<String> registered = post(server, "/subjects/" + encoded + "/versions", Schemas.body(Schemas.USER_V1));
            HttpResponse<String> configured = put(server, "/config/" + encoded, "{\"compatibility\":\"NONE\"}");
            // then
            assertError(registered, 422, 42208);
            assertError(configured, 422, 42208);
        }
        assertFalse(get(server, "/subjects").body().contains(tag), "no subject was stored");
        for (String encoded : encodedNames) {
            assertError(get(server, "/config/" + encoded), 404, 40408);
        }
    }

    @Test
    void shouldRefuseASchemaTooLargeForTheStoreWithConfluents42209AndStoreNothing() throws Exception {
        // given: a body under the HTTP limit (1 MB) whose store record (subject twice, in key and value, and the
        // schema) is over the Kafka record limit (1 MB)
        String subject = subject("s".repeat(3000));
        String small = Schemas.body(Schemas.USER_V1.replace("\"name\":\"User\"", "\"name\":\"User\",\"doc\":\"\""));
        String doc = "x".repeat(1_048_000 - small.length());
        String body = Schemas.body(Schemas.USER_V1.replace("\"name\":\"User\"", "\"name\":\"User\",\"doc\":\"" + doc + "\""));
        // when
        HttpResponse<String> registered = post(server, "/subjects/" + subject + "/versions", body);
        // then
        assertError(registered, 422, 42209);
        assertError(get(server, "/subjects/" + subject + "/versions"), 404, 40401);
        // the registry still takes writes
        register(server, subject, Schemas.USER_V1);
    }

    @Test
    void shouldRefuseAFlagThatIsNeitherTrueNorFalseAndChangeNothing() throws Exception {
        // given
        String subject = subject("user-value");
        register(server, subject, Schemas.USER_V1);
        // when: a typo in permanent=true must not soft-delete (JAX-RS, as in Confluent's registry, reads it as false)
        HttpResponse<String> deleted = send(server, TestRegistries.asWriter(HttpRequest.newBuilder(
                uri(server, "/subjects/" + subject + "?permanent=ture"))).DELETE());
        HttpResponse<String> checked = post(server, "/compatibility/subjects/" + subject + "/versions?verbose=yes",
                Schemas.body(Schemas.USER_V1));
        HttpResponse<String> level = get(server, "/config/" + subject + "?defaultToGlobal=1");
        // then
        assertError(deleted, 400, 400);
        assertTrue(json(deleted).path("message").asText().contains("permanent"), deleted.body());
        assertError(checked, 400, 400);
        assertError(level, 400, 400);
        assertEquals("[1]", get(server, "/subjects/" + subject + "/versions").body());
        // true and false in any case still work
        assertEquals(200, get(server, "/config/" + subject + "?defaultToGlobal=TRUE").statusCode());
    }

    @Test
    void shouldAnswerAboutTheInputWithoutJacksonNamesWhenASchemaOrBodyIsNestedTooDeeply() throws Exception {
        // given: nesting beyond Jackson's limit (1000), in the schema and in the request body
        String deepSchema = "{\"type\":\"array\",\"items\":".repeat(1200) + "\"int\"" + "}".repeat(1200);
        String deepBody = "{\"schema\":\"\\\"int\\\"\",\"x\":" + "[".repeat(1200) + "]".repeat(1200) + "}";
        String path = "/compatibility/subjects/" + subject("deep") + "/versions";
        // when
        HttpResponse<String> schema = post(server, path, Schemas.body(deepSchema));
        HttpResponse<String> body = post(server, path, deepBody);
        // then
        assertError(schema, 422, 42201);
        assertError(body, 400, 400);
        for (HttpResponse<String> response : List.of(schema, body)) {
            String message = json(response).path("message").asText();
            assertTrue(message.contains("nesting depth"), response.body());
            assertFalse(message.contains("com.fasterxml") || message.contains("StreamReadConstraints")
                    || message.contains("[request]"), response.body());
        }
    }

    @Test
    void shouldReportUpWhenStoreHasCaughtUp() throws Exception {
        // given a started registry
        // when
        HttpResponse<String> health = get(server, "/health");
        // then
        assertEquals(200, health.statusCode(), health.body());
        JsonNode store = json(health).path("details").path("schema-store");
        assertEquals("UP", store.path("status").asText(), health.body());
        assertEquals(topic, store.path("details").path("topic").asText());
    }

    @Test
    void shouldWriteConfluentRecordsToTopicWhenRegistering() throws Exception {
        // given
        String subject = subject("record-format");
        // when
        int id = register(server, subject, "\"float\"");
        put(server, "/config/" + subject, "{\"compatibility\":\"FULL\"}");
        // then
        List<String> records = new ArrayList<>();
        for (ConsumerRecord<String, String> record : readTopic(topic)) {
            records.add(record.key() + " => " + record.value());
        }
        assertTrue(records.contains("{\"keytype\":\"SCHEMA\",\"subject\":\"" + subject + "\",\"version\":1,\"magic\":1} => "
                + "{\"subject\":\"" + subject + "\",\"version\":1,\"id\":" + id
                + ",\"schema\":\"\\\"float\\\"\",\"deleted\":false}"), records.toString());
        assertTrue(records.contains("{\"keytype\":\"CONFIG\",\"subject\":\"" + subject + "\",\"magic\":0} => "
                + "{\"compatibilityLevel\":\"FULL\"}"), records.toString());
    }

    @Test
    void shouldKeepIdsAndVersionsWhenRestartedOnSameTopic() throws Exception {
        // given a registry with history on its own topic
        String restartTopic = "_schemas-restart-" + UUID.randomUUID();
        EmbeddedServer before = start(restartTopic);
        int userId;
        int floatId;
        try {
            userId = register(before, "user-value", Schemas.USER_V1);
            assertEquals(userId, register(before, "user-value-copy", Schemas.USER_V1));
            floatId = register(before, "user-value", Schemas.USER_B_WITH_DEFAULT);
            put(before, "/config", "{\"compatibility\":\"FULL\"}");
            put(before, "/config/user-value-copy", "{\"compatibility\":\"NONE\"}");
        } finally {
            before.getApplicationContext().close();
        }
        // when
        EmbeddedServer after = start(restartTopic);
        try {
            // then
            assertEquals(Map.of("subject", "user-value", "version", 2, "id", floatId,
                            "schema", new Schema.Parser().parse(Schemas.USER_B_WITH_DEFAULT).toString()),
                    JSON.convertValue(json(get(after, "/subjects/user-value/versions/latest")), Map.class));
            assertEquals("[1,2]", get(after, "/subjects/user-value/versions").body());
            assertEquals(userId, json(get(after, "/subjects/user-value-copy/versions/1")).path("id").asInt());
            assertEquals("{\"compatibilityLevel\":\"FULL\"}", get(after, "/config").body());
            assertEquals("{\"compatibilityLevel\":\"NONE\"}", get(after, "/config/user-value-copy").body());
            // and a new schema gets the next id, an old one its old id
            assertEquals(floatId + 1, register(after, "other-value", "\"double\""));
            assertEquals(userId, register(after, "third-value", Schemas.USER_V1));
        } finally {
            after.getApplicationContext().close();
        }
    }

    @Test
    void shouldServeTopicWrittenByConfluentWhenStartedOnIt() throws Exception {
        // given a topic as Confluent's registry leaves it: a NOOP marker, a soft-deleted version, a subject
        // soft-deleted whole (its DELETE_SUBJECT record), a Protobuf schema, a global level
        String confluentTopic = "_schemas-confluent-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(confluentTopic, 1, (short) 1)
                    .configs(Map.of("cleanup.policy", "compact")))).all().get();
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                "bootstrap.servers", bootstrapServers), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(confluentTopic, "{\"keytype\":\"NOOP\",\"magic\":0}", null));
            producer.send(new ProducerRecord<>(confluentTopic,
                    "{\"keytype\":\"SCHEMA\",\"subject\":\"kept-value\",\"version\":1,\"magic\":1}",
                    "{\"subject\":\"kept-value\",\"version\":1,\"id\":41,\"schema\":\"\\\"string\\\"\",\"deleted\":false}"));
            producer.send(new ProducerRecord<>(confluentTopic,
                    "{\"keytype\":\"SCHEMA\",\"subject\":\"gone-value\",\"version\":1,\"magic\":1}",
                    "{\"subject\":\"gone-value\",\"version\":1,\"id\":42,\"schema\":\"\\\"int\\\"\",\"deleted\":true}"));
            producer.send(new ProducerRecord<>(confluentTopic,
                    "{\"keytype\":\"SCHEMA\",\"subject\":\"whole-value\",\"version\":1,\"magic\":1}",
                    "{\"subject\":\"whole-value\",\"version\":1,\"id\":44,\"schema\":\"\\\"bytes\\\"\",\"deleted\":false}"));
            producer.send(new ProducerRecord<>(confluentTopic,
                    "{\"keytype\":\"DELETE_SUBJECT\",\"subject\":\"whole-value\",\"magic\":0}",
                    "{\"subject\":\"whole-value\",\"version\":1}"));
            producer.send(new ProducerRecord<>(confluentTopic,
                    "{\"keytype\":\"SCHEMA\",\"subject\":\"proto-value\",\"version\":1,\"magic\":1}",
                    "{\"subject\":\"proto-value\",\"version\":1,\"id\":50,\"schemaType\":\"PROTOBUF\","
                            + "\"schema\":\"syntax = \\\"proto3\\\";\",\"deleted\":false}"));
            producer.send(new ProducerRecord<>(confluentTopic, "{\"keytype\":\"CONFIG\",\"subject\":null,\"magic\":0}",
                    "{\"compatibilityLevel\":\"FULL_TRANSITIVE\"}")).get();
        }
        // when
        EmbeddedServer registry = start(confluentTopic);
        try {
            // then
            // the Protobuf subject is listed, as Confluent lists it, though its schema is not served here
            assertEquals("[\"kept-value\",\"proto-value\"]", get(registry, "/subjects").body());
            assertEquals("[\"gone-value\",\"kept-value\",\"proto-value\",\"whole-value\"]",
                    get(registry, "/subjects?deleted=true").body());
            assertEquals("{\"schema\":\"\\\"int\\\"\"}", get(registry, "/schemas/ids/42").body());
            assertEquals(1, json(post(registry, "/subjects/whole-value?deleted=true", Schemas.body("\"bytes\"")))
                    .path("version").asInt());
            assertEquals("{\"compatibilityLevel\":\"FULL_TRANSITIVE\"}", get(registry, "/config").body());
            // the Protobuf schema's id stays taken, and its subject takes no Avro version
            assertEquals(51, register(registry, "new-value", "\"boolean\""));
            assertError(post(registry, "/subjects/proto-value/versions", Schemas.body("\"boolean\"")), 409, 409);
            assertError(get(registry, "/schemas/ids/50"), 404, 40403);
        } finally {
            registry.getApplicationContext().close();
        }
    }

    @Test
    void shouldNeverGiveOneIdToTwoSchemasWhenAWriteLandsAfterTheRegistryAnswered() throws Exception {
        // given a running registry whose last id is 1
        String lateTopic = "_schemas-late-" + UUID.randomUUID();
        EmbeddedServer registry = start(lateTopic);
        try {
            assertEquals(1, register(registry, "first-value", "\"string\""));
            // a write that landed after its request was answered (a timeout): id 2 in the topic, not read back yet
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    "bootstrap.servers", bootstrapServers), new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>(lateTopic,
                        "{\"keytype\":\"SCHEMA\",\"subject\":\"late-value\",\"version\":1,\"magic\":1}",
                        "{\"subject\":\"late-value\",\"version\":1,\"id\":2,\"schema\":\"\\\"int\\\"\",\"deleted\":false}")).get();
                // and a record giving id 2 to another schema after it, as a second writer racing it would leave
                producer.send(new ProducerRecord<>(lateTopic,
                        "{\"keytype\":\"SCHEMA\",\"subject\":\"racing-value\",\"version\":1,\"magic\":1}",
                        "{\"subject\":\"racing-value\",\"version\":1,\"id\":2,\"schema\":\"\\\"long\\\"\",\"deleted\":false}")).get();
            }

            // when
            int next = register(registry, "next-value", "\"boolean\"");

            // then: the late write was read before an id was assigned, and id 2 keeps the first schema it was given
            assertEquals(3, next);
            assertEquals("{\"schema\":\"\\\"int\\\"\"}", get(registry, "/schemas/ids/2").body());
            assertError(get(registry, "/subjects/racing-value/versions/1"), 404, 40401);
        } finally {
            registry.getApplicationContext().close();
        }
        // and a restart reads the topic the same way
        EmbeddedServer restarted = start(lateTopic);
        try {
            assertEquals("{\"schema\":\"\\\"int\\\"\"}", get(restarted, "/schemas/ids/2").body());
            assertEquals("{\"schema\":\"\\\"boolean\\\"\"}", get(restarted, "/schemas/ids/3").body());
        } finally {
            restarted.getApplicationContext().close();
        }
    }

    @Test
    void shouldRoundTripEventsWhenProjectSerdeUsesThisRegistry() {
        // given the project's own registry client and serde, as the services use them
        HttpSchemaRegistryClient client = writerClient();
        String eventTopic = "it-events-" + UUID.randomUUID();
        BankAccountEvent event = BankAccountEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setAggregateId("account-1")
                .setAggregateType("BankAccount")
                .setVersion(2)
                .setEventType("AccountClosed")
                .setOccurredAt(Instant.parse("2025-01-01T10:00:00Z"))
                .setCommandId(UUID.randomUUID().toString())
                .setCorrelationId(UUID.randomUUID().toString())
                .setPayload(new AccountClosed("customer request"))
                .build();
        // when
        byte[] bytes = new AvroSerializer<BankAccountEvent>(client, false).serialize(eventTopic, event);
        BankAccountEvent read = new AvroDeserializer<BankAccountEvent>(
                writerClient(), BankAccountEvent.getClassSchema())
                .deserialize(eventTopic, bytes);
        // then
        assertEquals(event, read);
        assertEquals(0, bytes[0]);
        assertEquals("[1]", get(server, "/subjects/" + eventTopic + "-value/versions").body());
    }

    @Test
    void shouldGiveASubjectFullTransitiveWhenTheProjectSerdeRegistersUnderItFirst() {
        // given a subject nobody has registered under, and a registry whose global level is the default, BACKWARD
        String eventTopic = "it-level-" + UUID.randomUUID();
        assertEquals(404, get(server, "/config/" + eventTopic + "-value").statusCode());

        // when the services' serde writes its first record to the topic
        new AvroSerializer<BankAccountEvent>(writerClient(), false)
                .serialize(eventTopic, closedEvent());

        // then the subject holds the level the build's gate holds every schema to; the global level is untouched
        assertEquals("{\"compatibilityLevel\":\"FULL_TRANSITIVE\"}", get(server, "/config/" + eventTopic + "-value").body());
        assertEquals("{\"compatibilityLevel\":\"BACKWARD\"}", get(server, "/config").body());
    }

    @Test
    void shouldKeepTheLevelAnOperatorSetWhenTheProjectSerdeRegistersUnderTheSubject() {
        // given an operator who relaxed the subject for one release (docs/schema-evolution.md)
        String eventTopic = "it-operator-level-" + UUID.randomUUID();
        assertEquals(200, put(server, "/config/" + eventTopic + "-value", "{\"compatibility\":\"BACKWARD\"}").statusCode());

        // when
        new AvroSerializer<BankAccountEvent>(writerClient(), false)
                .serialize(eventTopic, closedEvent());

        // then
        assertEquals("{\"compatibilityLevel\":\"BACKWARD\"}", get(server, "/config/" + eventTopic + "-value").body());
    }

    private static BankAccountEvent closedEvent() {
        return BankAccountEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setAggregateId("account-1")
                .setAggregateType("BankAccount")
                .setVersion(2)
                .setEventType("AccountClosed")
                .setOccurredAt(Instant.parse("2025-01-01T10:00:00Z"))
                .setCommandId(UUID.randomUUID().toString())
                .setCorrelationId(UUID.randomUUID().toString())
                .setPayload(new AccountClosed("customer request"))
                .build();
    }

    @Test
    void shouldDeleteASubjectForGoodWhenTheProjectClientAsks() {
        // given: two subjects with the same schema, as two generations' changelogs have
        HttpSchemaRegistryClient client = writerClient();
        String doomed = "it-doomed-" + UUID.randomUUID() + "-changelog-value";
        String kept = "it-kept-" + UUID.randomUUID() + "-changelog-value";
        Schema schema = BankAccountEvent.getClassSchema();
        int id = client.register(doomed, schema);
        client.register(kept, schema);
        assertTrue(client.subjects().contains(doomed));

        // when
        List<Integer> deleted = client.deleteSubject(doomed);
        List<Integer> again = client.deleteSubject(doomed);

        // then: gone for good (a soft-deleted version left behind would have been deleted, and listed, again), the
        // other subject and the schema id still there
        assertEquals(List.of(1), deleted);
        assertEquals(List.of(), again);
        assertTrue(!client.subjects().contains(doomed) && client.subjects().contains(kept), client.subjects().toString());
        assertEquals(200, get(server, "/schemas/ids/" + id).statusCode());
    }

    private static EmbeddedServer start(String topic) {
        return TestRegistries.start(topic);
    }

    /** The project's registry client as a service configures it: with a writer's Basic credentials. */
    private static HttpSchemaRegistryClient writerClient() {
        return new HttpSchemaRegistryClient(server.getURL().toString(), Duration.ofSeconds(10),
                Optional.of(TestRegistries.WRITER_USER_INFO));
    }

    private static String subject(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static int register(EmbeddedServer target, String subject, String schema) {
        HttpResponse<String> response = post(target, "/subjects/" + subject + "/versions", Schemas.body(schema));
        assertEquals(200, response.statusCode(), response.body());
        return json(response).path("id").asInt();
    }

    private static void assertError(HttpResponse<String> response, int status, int errorCode) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(VND, response.headers().firstValue("Content-Type").orElse(""));
        JsonNode body = json(response);
        assertEquals(errorCode, body.path("error_code").asInt(), response.body());
        assertTrue(body.path("message").isTextual(), response.body());
    }

    private static List<ConsumerRecord<String, String>> readTopic(String name) {
        TopicPartition partition = new TopicPartition(name, 0);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                "bootstrap.servers", bootstrapServers), new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (consumer.position(partition) < end && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    private static HttpResponse<String> get(EmbeddedServer target, String path) {
        return send(target, HttpRequest.newBuilder(uri(target, path)).GET());
    }

    private static HttpResponse<String> post(EmbeddedServer target, String path, String body) {
        // as a writer: lookups and compatibility checks (POSTs too) need no credentials, RegistrySecurityIT shows it
        return send(target, TestRegistries.asWriter(HttpRequest.newBuilder(uri(target, path))).header("Content-Type", VND)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static HttpResponse<String> delete(EmbeddedServer target, String path) {
        return send(target, TestRegistries.asWriter(HttpRequest.newBuilder(uri(target, path))).DELETE());
    }

    private static HttpResponse<String> put(EmbeddedServer target, String path, String body) {
        return send(target, TestRegistries.asWriter(HttpRequest.newBuilder(uri(target, path))).header("Content-Type", VND)
                .PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static URI uri(EmbeddedServer target, String path) {
        return URI.create("http://localhost:" + target.getPort() + path);
    }

    private static HttpResponse<String> send(EmbeddedServer target, HttpRequest.Builder request) {
        try {
            return HTTP.send(request.header("Accept", VND).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("registry on port " + target.getPort() + " unreachable", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }
}
