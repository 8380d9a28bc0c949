package dev.eventbank.schemas.serde;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The registry client built from Confluent's client properties, against a real HTTP server (the JDK's) that
 * records the {@code Authorization} header of each request it answers.
 */
class SchemaRegistryClientsTest {

    private HttpServer server;
    private final List<String> authorizations = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/subjects", exchange -> {
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            byte[] body = "[\"a-value\"]".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    @Test
    void shouldSendBasicCredentialsWhenUserInfoIsConfigured() {
        // given
        SchemaRegistryClient client = SchemaRegistryClients.forConfig(Map.of(
                SchemaRegistryClients.URL, url(),
                SchemaRegistryClients.CREDENTIALS_SOURCE, "USER_INFO",
                SchemaRegistryClients.USER_INFO, "command:s3cret:with-colon"));
        // when
        List<String> subjects = client.subjects();
        // then: RFC 7617, the password's own colon kept
        assertEquals(List.of("a-value"), subjects);
        assertEquals(List.of("Basic " + Base64.getEncoder().encodeToString(
                "command:s3cret:with-colon".getBytes(StandardCharsets.UTF_8))), authorizations);
    }

    @Test
    void shouldSendNoCredentialsWhenUserInfoIsEmpty() {
        // given: as a service with schema-registry.basic-auth-user-info left empty configures it
        SchemaRegistryClient client = SchemaRegistryClients.forConfig(Map.of(
                SchemaRegistryClients.URL, url(), SchemaRegistryClients.USER_INFO, ""));
        // when
        client.subjects();
        // then
        assertEquals(List.of("null"), authorizations);
    }

    @Test
    void shouldRefuseUnsupportedSourceAndMalformedUserInfoWithoutShowingThePassword() {
        IllegalArgumentException source = assertThrows(IllegalArgumentException.class, () ->
                SchemaRegistryClients.forConfig(Map.of(SchemaRegistryClients.URL, url(),
                        SchemaRegistryClients.CREDENTIALS_SOURCE, "SASL_INHERIT")));
        IllegalArgumentException malformed = assertThrows(IllegalArgumentException.class, () ->
                SchemaRegistryClients.forConfig(Map.of(SchemaRegistryClients.URL, url(),
                        SchemaRegistryClients.USER_INFO, "no-colon-secret")));
        assertTrue(source.getMessage().contains("SASL_INHERIT"), source.getMessage());
        assertFalse(malformed.getMessage().contains("no-colon-secret"), malformed.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SchemaRegistryClients.forConfig(Map.of(
                SchemaRegistryClients.URL, url(), SchemaRegistryClients.USER_INFO, ":password")));
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }
}
