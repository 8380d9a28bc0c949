package dev.eventbank.support.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.eventbank.schemas.serde.InMemorySchemaRegistryClient;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import org.apache.avro.Schema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A schema registry on loopback speaking the part of Confluent's REST API our client uses (registration, a subject's
 * compatibility level, a schema by id) over an in-memory registry, whose answer to {@code GET /schemas/ids/{id}} a
 * test can replace with a failure: a managed registry's 429, expired credentials' 401, a proxy's 404 page. Those
 * registries cannot run on this machine; the HTTP exchange and our client's handling of it do.
 */
public final class RegistryStandIn implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final InMemorySchemaRegistryClient held = new InMemorySchemaRegistryClient();
    private final AtomicReference<Failure> failure = new AtomicReference<>();
    private final AtomicInteger fetches = new AtomicInteger();
    private final HttpServer server;

    /** An answer instead of the schema: an HTTP status and a body. */
    public record Failure(int status, String body) {
    }

    public RegistryStandIn() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::answer);
        server.start();
    }

    /** The in-memory registry behind it: a producer that serializes with it writes ids this registry knows. */
    public SchemaRegistryClient held() {
        return held;
    }

    /** A new HTTP client of this registry, with an empty cache of schemas by id. */
    public SchemaRegistryClient client() {
        return SchemaRegistryClients.forUrl("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** From now on, schemas by id are answered with {@code failure}; null answers them again. */
    public void failSchemaFetches(Failure failure) {
        this.failure.set(failure);
    }

    /** How many {@code GET /schemas/ids/{id}} requests came in. */
    public int schemaFetches() {
        return fetches.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void answer(HttpExchange exchange) throws IOException {
        String path = URLDecoder.decode(exchange.getRequestURI().getPath(), StandardCharsets.UTF_8);
        String body;
        int status = 200;
        if (exchange.getRequestMethod().equals("POST") && path.startsWith("/subjects/") && path.endsWith("/versions")) {
            String subject = path.substring("/subjects/".length(), path.length() - "/versions".length());
            String schema = JSON.readTree(exchange.getRequestBody().readAllBytes()).path("schema").asText();
            body = "{\"id\":" + held.register(subject, new Schema.Parser().parse(schema)) + "}";
        } else if (path.startsWith("/config/")) {
            body = "{\"compatibilityLevel\":\"FULL_TRANSITIVE\"}";
        } else if (path.startsWith("/schemas/ids/")) {
            fetches.incrementAndGet();
            Failure failing = failure.get();
            if (failing != null) {
                status = failing.status();
                body = failing.body();
            } else {
                try {
                    Schema schema = held.schemaById(Integer.parseInt(path.substring("/schemas/ids/".length())));
                    body = JSON.createObjectNode().put("schema", schema.toString()).toString();
                } catch (RuntimeException unknown) {
                    status = 404;
                    body = "{\"error_code\":40403,\"message\":\"Schema not found\"}";
                }
            }
        } else {
            status = 404;
            body = "{\"error_code\":404,\"message\":\"HTTP 404 Not Found\"}";
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
