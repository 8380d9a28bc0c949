package dev.eventbank.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbank.devissuer.DevIssuer;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15, item 4: the registry requires credentials for every write (register, delete, set or delete a level) and
 * none for reads. Writers are Basic users with the writer role, or operators with a bearer token of the trusted
 * issuer; refusals keep Confluent's error body.
 */
class RegistrySecurityIT {

    private static final String VND = "application/vnd.schemaregistry.v1+json";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NONE = null;

    private static EmbeddedServer server;

    @BeforeAll
    static void startRegistry() {
        server = TestRegistries.start("_schemas-security-it-" + UUID.randomUUID());
    }

    @AfterAll
    static void stopRegistry() {
        if (server != null) {
            server.getApplicationContext().close();
        }
    }

    @Test
    void shouldRefuseEveryWriteWith401WhenAnonymous() throws Exception {
        // given
        String subject = registeredSubject();
        // when
        List<HttpResponse<String>> writes = List.of(
                send("POST", "/subjects/" + subject + "/versions", Schemas.body(Schemas.USER_B_WITH_DEFAULT), NONE),
                send("DELETE", "/subjects/" + subject, null, NONE),
                send("PUT", "/config", "{\"compatibility\":\"NONE\"}", NONE),
                send("PUT", "/config/" + subject, "{\"compatibility\":\"NONE\"}", NONE),
                send("DELETE", "/config/" + subject, null, NONE));
        // then
        for (HttpResponse<String> write : writes) {
            assertConfluentError(write, 401, 401);
            assertTrue(write.headers().firstValue("WWW-Authenticate").orElse("").contains("Basic"), write.headers().toString());
        }
        assertEquals("[1]", send("GET", "/subjects/" + subject + "/versions", null, NONE).body());
        assertEquals("{\"compatibilityLevel\":\"BACKWARD\"}", send("GET", "/config", null, NONE).body());
    }

    @Test
    void shouldRefuseWith401WhenThePasswordIsWrongOrTheUserUnknown() throws Exception {
        // given
        String subject = subject();
        String body = Schemas.body(Schemas.USER_V1);
        // when
        HttpResponse<String> wrongPassword = send("POST", "/subjects/" + subject + "/versions", body,
                TestRegistries.basic(TestRegistries.WRITER, TestRegistries.WRITER_PASSWORD + "x"));
        HttpResponse<String> prefixOfPassword = send("POST", "/subjects/" + subject + "/versions", body,
                TestRegistries.basic(TestRegistries.WRITER, TestRegistries.WRITER_PASSWORD.substring(0, 5)));
        HttpResponse<String> unknownUser = send("POST", "/subjects/" + subject + "/versions", body,
                TestRegistries.basic("nobody", TestRegistries.WRITER_PASSWORD));
        // then
        assertConfluentError(wrongPassword, 401, 401);
        assertConfluentError(prefixOfPassword, 401, 401);
        assertConfluentError(unknownUser, 401, 401);
        assertEquals(404, send("GET", "/subjects/" + subject + "/versions", null, NONE).statusCode());
    }

    @Test
    void shouldRefuseWith403WhenTheUserMayOnlyRead() throws Exception {
        // given
        String subject = registeredSubject();
        String reader = TestRegistries.basic(TestRegistries.READER, TestRegistries.READER_PASSWORD);
        // when
        HttpResponse<String> register = send("POST", "/subjects/" + subject + "/versions",
                Schemas.body(Schemas.USER_B_WITH_DEFAULT), reader);
        HttpResponse<String> delete = send("DELETE", "/subjects/" + subject, null, reader);
        HttpResponse<String> read = send("GET", "/subjects/" + subject + "/versions", null, reader);
        // then
        assertConfluentError(register, 403, 40301);
        assertTrue(JSON.readTree(register.body()).path("message").asText().contains(TestRegistries.READER), register.body());
        assertConfluentError(delete, 403, 40301);
        assertEquals(200, read.statusCode(), read.body());
        assertEquals("[1]", read.body());
    }

    @Test
    void shouldChangeTheRegistryWhenTheWriterAsks() throws Exception {
        // given
        String subject = subject();
        String writer = TestRegistries.basic(TestRegistries.WRITER, TestRegistries.WRITER_PASSWORD);
        // when
        HttpResponse<String> registered = send("POST", "/subjects/" + subject + "/versions", Schemas.body(Schemas.USER_V1), writer);
        HttpResponse<String> level = send("PUT", "/config/" + subject, "{\"compatibility\":\"FULL\"}", writer);
        HttpResponse<String> deleted = send("DELETE", "/subjects/" + subject, null, writer);
        // then
        assertEquals(200, registered.statusCode(), registered.body());
        assertEquals("{\"compatibility\":\"FULL\"}", level.body());
        assertEquals("[1]", deleted.body());
    }

    @Test
    void shouldChangeTheRegistryWhenAnOperatorTokenAsksAndRefuseOtherRolesAndIssuers() throws Exception {
        // given
        String subject = subject();
        String body = Schemas.body(Schemas.USER_V1);
        DevIssuer trusted = TestRegistries.issuer();
        DevIssuer stranger = DevIssuer.inDirectory(Files.createTempDirectory(Path.of("target"), "stranger-issuer"));
        // when
        HttpResponse<String> teller = send("POST", "/subjects/" + subject + "/versions", body,
                "Bearer " + trusted.token("teller", "it-teller"));
        HttpResponse<String> forged = send("POST", "/subjects/" + subject + "/versions", body,
                "Bearer " + stranger.token("operator", "it-operator"));
        HttpResponse<String> expired = send("POST", "/subjects/" + subject + "/versions", body,
                "Bearer " + trusted.sign(DevIssuer.claims("it-operator", List.of("operator"),
                        Instant.now().minusSeconds(7200), Instant.now().minusSeconds(3600)).build()));
        HttpResponse<String> noExpiry = send("POST", "/subjects/" + subject + "/versions", body,
                "Bearer " + trusted.sign(DevIssuer.claims("it-operator", List.of("operator"),
                        Instant.now(), Instant.now().plusSeconds(600)).expirationTime(null).build()));
        HttpResponse<String> otherAudience = send("POST", "/subjects/" + subject + "/versions", body,
                "Bearer " + trusted.sign(DevIssuer.claims("it-operator", List.of("operator"),
                        Instant.now(), Instant.now().plusSeconds(600)).audience("another-api").build()));
        HttpResponse<String> notYetValid = send("POST", "/subjects/" + subject + "/versions", body,
                "Bearer " + trusted.sign(DevIssuer.claims("it-operator", List.of("operator"),
                        Instant.now().plusSeconds(3600), Instant.now().plusSeconds(7200)).build()));
        HttpResponse<String> otherIssuer = send("POST", "/subjects/" + subject + "/versions", body,
                "Bearer " + trusted.sign(DevIssuer.claims("it-operator", List.of("operator"),
                        Instant.now(), Instant.now().plusSeconds(600)).issuer("https://evil.example").build()));
        // a number as the subject: Nimbus would read it as the text "123"
        HttpResponse<String> numericSubject = send("POST", "/subjects/" + subject + "/versions", body,
                "Bearer " + trusted.sign(DevIssuer.claims("it-operator", List.of("operator"),
                        Instant.now(), Instant.now().plusSeconds(600)).claim("sub", 123).build()));
        // the Basic users' role, claimed by a token (no identity provider of ours issues it)
        HttpResponse<String> writerToken = send("POST", "/subjects/" + subject + "/versions", body,
                "Bearer " + trusted.token("writer", "it-writer"));
        HttpResponse<String> operator = send("POST", "/subjects/" + subject + "/versions", body,
                "Bearer " + trusted.token("operator", "it-operator"));
        // then
        assertConfluentError(teller, 403, 40301);
        assertConfluentError(writerToken, 403, 40301);
        assertConfluentError(forged, 401, 401);
        assertConfluentError(expired, 401, 401);
        assertConfluentError(otherAudience, 401, 401);
        assertConfluentError(noExpiry, 401, 401);
        assertConfluentError(notYetValid, 401, 401);
        assertConfluentError(otherIssuer, 401, 401);
        assertConfluentError(numericSubject, 401, 401);
        assertEquals(200, operator.statusCode(), operator.body());
        assertEquals("[1]", send("GET", "/subjects/" + subject + "/versions", null, NONE).body());
    }

    @Test
    void shouldAnswerReadsWithoutCredentials() throws Exception {
        // given
        String subject = registeredSubject();
        int id = JSON.readTree(send("GET", "/subjects/" + subject + "/versions/1", null, NONE).body()).path("id").asInt();
        // when: every read route, the POSTs that only read (lookup, compatibility check) included
        List<HttpResponse<String>> reads = List.of(
                send("GET", "/", null, NONE),
                send("GET", "/subjects", null, NONE),
                send("GET", "/subjects/" + subject + "/versions", null, NONE),
                send("GET", "/subjects/" + subject + "/versions/latest", null, NONE),
                send("GET", "/subjects/" + subject + "/versions/1/schema", null, NONE),
                send("POST", "/subjects/" + subject, Schemas.body(Schemas.USER_V1), NONE),
                send("GET", "/schemas/ids/" + id, null, NONE),
                send("GET", "/schemas/ids/" + id + "/subjects", null, NONE),
                send("GET", "/schemas/ids/" + id + "/versions", null, NONE),
                send("GET", "/schemas/types", null, NONE),
                send("GET", "/config", null, NONE),
                send("GET", "/config/" + subject + "?defaultToGlobal=true", null, NONE),
                send("POST", "/compatibility/subjects/" + subject + "/versions/latest",
                        Schemas.body(Schemas.USER_B_WITH_DEFAULT), NONE),
                send("POST", "/compatibility/subjects/" + subject + "/versions", Schemas.body(Schemas.USER_B_WITH_DEFAULT), NONE),
                send("GET", "/health", null, NONE),
                send("GET", "/prometheus", null, NONE));
        // then
        for (HttpResponse<String> read : reads) {
            assertEquals(200, read.statusCode(), read.request().uri() + " " + read.body());
        }
        // and a path no route serves stays Confluent's 404, not a 401
        assertConfluentError(send("GET", "/no/such/route", null, NONE), 404, 404);
    }

    private static String registeredSubject() throws Exception {
        String subject = subject();
        HttpResponse<String> registered = send("POST", "/subjects/" + subject + "/versions", Schemas.body(Schemas.USER_V1),
                TestRegistries.basic(TestRegistries.WRITER, TestRegistries.WRITER_PASSWORD));
        assertEquals(200, registered.statusCode(), registered.body());
        return subject;
    }

    private static String subject() {
        return "secured-value-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static void assertConfluentError(HttpResponse<String> response, int status, int errorCode) throws IOException {
        assertEquals(status, response.statusCode(), response.request().method() + " " + response.request().uri() + " "
                + response.body());
        assertEquals(VND, response.headers().firstValue("Content-Type").orElse(""));
        JsonNode body = JSON.readTree(response.body());
        assertEquals(errorCode, body.path("error_code").asInt(), response.body());
        assertTrue(!body.path("message").asText().isBlank(), response.body());
    }

    @Test
    void shouldRefuseAWriteWithTwoAuthorizationHeadersWhicheverComesFirstAndChangeNothing() throws Exception {
        // given: a writer's credentials and a reader's, in both orders (the security filter reads the first only)
        String subject = registeredSubject();
        String writer = TestRegistries.basic(TestRegistries.WRITER, TestRegistries.WRITER_PASSWORD);
        String reader = TestRegistries.basic(TestRegistries.READER, TestRegistries.READER_PASSWORD);
        for (List<String> order : List.of(List.of(writer, reader), List.of(reader, writer))) {
            // when
            HttpResponse<String> write = HTTP.send(HttpRequest.newBuilder(
                            URI.create("http://localhost:" + server.getPort() + "/config/" + subject))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", VND)
                    .header("Authorization", order.get(0)).header("Authorization", order.get(1))
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"compatibility\":\"NONE\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());

            // then
            assertConfluentError(write, 400, 400);
            assertTrue(write.body().contains("Authorization must be given once"), write.body());
        }
        assertEquals(404, send("GET", "/config/" + subject, null, NONE).statusCode(), "no level of its own was set");
    }

    @Test
    void shouldRefuseAWriteWhoseBodyIsNotInItsContentEncodingOrWithTwoContentTypesAndChangeNothing() throws Exception {
        // given: a writer's credentials and a level change
        String subject = registeredSubject();
        String writer = TestRegistries.basic(TestRegistries.WRITER, TestRegistries.WRITER_PASSWORD);
        byte[] plain = "{\"compatibility\":\"NONE\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream gzipped = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(gzipped)) {
            gzip.write(plain);
        }
        URI config = URI.create("http://localhost:" + server.getPort() + "/config/" + subject);

        // when
        List<HttpResponse<String>> refused = new java.util.ArrayList<>();
        for (String encoding : List.of("gzip", "deflate")) {
            refused.add(HTTP.send(HttpRequest.newBuilder(config).timeout(Duration.ofSeconds(30)).header("Content-Type", VND)
                    .header("Content-Encoding", encoding).header("Authorization", writer)
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(plain)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        refused.add(HTTP.send(HttpRequest.newBuilder(config).timeout(Duration.ofSeconds(30)).header("Content-Type", VND)
                .header("Content-Type", "text/plain").header("Authorization", writer)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(plain)).build(), HttpResponse.BodyHandlers.ofString()));

        HttpResponse<String> brotli = HTTP.send(HttpRequest.newBuilder(config).timeout(Duration.ofSeconds(30))
                .header("Content-Type", VND).header("Content-Encoding", "br").header("Authorization", writer)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(plain)).build(), HttpResponse.BodyHandlers.ofString());

        // then
        for (HttpResponse<String> answer : refused) {
            assertConfluentError(answer, 400, 400);
        }
        assertConfluentError(brotli, 415, 415);
        assertTrue(refused.get(0).body().contains("not in the Content-Encoding it names"), refused.get(0).body());
        assertTrue(refused.get(2).body().contains("Content-Type must be given once"), refused.get(2).body());
        assertEquals(404, send("GET", "/config/" + subject, null, NONE).statusCode(), "no level of its own was set");
        // and a body in the encoding it names is read
        HttpResponse<String> encoded = HTTP.send(HttpRequest.newBuilder(config).timeout(Duration.ofSeconds(30))
                .header("Content-Type", VND).header("Content-Encoding", "gzip").header("Authorization", writer)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(gzipped.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, encoded.statusCode(), encoded.body());
    }

    @Test
    void shouldNegotiateAcceptByRfc9110() throws Exception {
        URI subjects = URI.create("http://localhost:" + server.getPort() + "/subjects");
        // wildcards and weights: answered, with a type of Confluent's and no parameters (Micronaut alone answered
        // application/* with 406 and echoed "application/json;q=0.9" as the Content-Type)
        Map<String, String> expected = new java.util.LinkedHashMap<>();
        expected.put("application/*", VND);
        expected.put("application/json;q=0.9", "application/json");
        expected.put("application/vnd.schemaregistry.v1+json;q=0, application/*", "application/vnd.schemaregistry+json");
        // a weight out of range makes the header invalid: disregarded (Micronaut echoed "application/json;q=2")
        expected.put("application/json;q=2", VND);
        expected.put("application/json;q=-1", VND);
        for (Map.Entry<String, String> accept : expected.entrySet()) {
            HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(subjects).timeout(Duration.ofSeconds(30))
                    .header("Accept", accept.getKey()).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode(), accept.getKey() + ": " + answer.body());
            assertEquals(accept.getValue(), answer.headers().firstValue("Content-Type").orElse(""), accept.getKey());
        }
        // q=0 is "not acceptable" (RFC 9110 section 12.4.2): 406 in Confluent's shape
        for (String accept : List.of("*/*;q=0", "*/*, application/*;q=0", "text/html")) {
            HttpResponse<String> refused = HTTP.send(HttpRequest.newBuilder(subjects).timeout(Duration.ofSeconds(30))
                    .header("Accept", accept).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertConfluentError(refused, 406, 406);
        }
    }

    private static HttpResponse<String> send(String method, String path, String body, String authorization)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + server.getPort() + path))
                .timeout(Duration.ofSeconds(30))
                // the management endpoints answer JSON and Prometheus text only
                .header("Accept", VND + ", */*;q=0.5")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", VND);
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
