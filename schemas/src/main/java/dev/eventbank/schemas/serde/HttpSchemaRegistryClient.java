package dev.eventbank.schemas.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.avro.Schema;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A client for the Confluent Schema Registry REST API ({@code POST /subjects/{s}/versions},
 * {@code GET /schemas/ids/{id}}, {@code GET}/{@code PUT /config/{s}}, {@code GET /subjects},
 * {@code DELETE /subjects/{s}[?permanent=true]}), so the same code talks to our registry and to Confluent's.
 *
 * <p>Caches ids by subject and schema, schemas by id, and the subjects known to have a level of their own, for the
 * life of the client; a registry that is down only matters for a schema or subject not seen before.
 *
 * <p>Credentials: with a {@code user:password} (Confluent's {@code basic.auth.user.info}), every request carries
 * {@code Authorization: Basic} (RFC 7617), as Confluent's client does with {@code basic.auth.credentials.source=
 * USER_INFO}; registries that check them refuse writes without them (401). Limits: one base URL; over plain
 * {@code http://} the credentials travel readable, so use {@code https://} wherever the network is not the host's own.
 */
public final class HttpSchemaRegistryClient implements SchemaRegistryClient {

    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI baseUri;
    private final HttpClient http;
    private final Duration timeout;
    private final Optional<String> authorization;
    private final Map<String, Integer> idsBySubjectAndSchema = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Set<String> subjectsWithLevel = ConcurrentHashMap.newKeySet();

    public HttpSchemaRegistryClient(String baseUrl) {
        this(baseUrl, Duration.ofSeconds(10));
    }

    public HttpSchemaRegistryClient(String baseUrl, Duration timeout) {
        this(baseUrl, timeout, Optional.empty());
    }

    /**
     * A client that sends HTTP Basic credentials with every request.
     *
     * @param baseUrl  the registry's URL, e.g. {@code http://localhost:8081}
     * @param timeout  connect and per-request timeout
     * @param userInfo {@code user:password} (the password may contain {@code :}, the user may not); empty for none
     * @throws IllegalArgumentException when {@code userInfo} has no {@code :} or an empty user
     */
    public HttpSchemaRegistryClient(String baseUrl, Duration timeout, Optional<String> userInfo) {
        this.baseUri = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
        this.authorization = userInfo.map(HttpSchemaRegistryClient::basic);
    }

    private static String basic(String userInfo) {
        int colon = userInfo.indexOf(':');
        if (colon <= 0) {
            // never the value itself in the message: it holds a password
            throw new IllegalArgumentException("schema registry user info must be 'user:password' (basic.auth.user.info)");
        }
        return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int register(String subject, Schema schema) {
        String cacheKey = subject + '\u0000' + schema.toString();
        Integer cached = idsBySubjectAndSchema.get(cacheKey);
        if (cached != null) {
            return cached;
        }
        String body = JSON.createObjectNode().put("schema", schema.toString()).toString();
        JsonNode response = send(HttpRequest.newBuilder(baseUri.resolve("subjects/" + encode(subject) + "/versions"))
                .header("Content-Type", CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        int id = response.path("id").asInt(-1);
        if (id < 0) {
            throw new SchemaRegistryException("registry answered without an id: " + response, 200, -1);
        }
        idsBySubjectAndSchema.put(cacheKey, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    @Override
    public void ensureSubjectCompatibility(String subject, String level) {
        if (subjectsWithLevel.contains(subject)) {
            return;
        }
        URI config = baseUri.resolve("config/" + encode(subject));
        try {
            send(HttpRequest.newBuilder(config).GET());
        } catch (SchemaRegistryException e) {
            // 40408 (Confluent 7 and ours): the subject has no level of its own; older Confluent answers 40401
            if (e.httpStatus() != 404) {
                throw e;
            }
            send(HttpRequest.newBuilder(config).header("Content-Type", CONTENT_TYPE)
                    .PUT(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode().put("compatibility", level).toString())));
        }
        subjectsWithLevel.add(subject);
    }

    @Override
    public Schema schemaById(int id) {
        return schemasById.computeIfAbsent(id, this::fetchSchema);
    }

    @Override
    public List<String> subjects() {
        JsonNode response = send(HttpRequest.newBuilder(baseUri.resolve("subjects")).GET());
        List<String> subjects = new ArrayList<>();
        response.forEach(subject -> subjects.add(subject.asText()));
        return subjects;
    }

    @Override
    public List<Integer> deleteSubject(String subject) {
        URI uri = baseUri.resolve("subjects/" + encode(subject));
        List<Integer> versions = new ArrayList<>();
        try {
            send(HttpRequest.newBuilder(uri).DELETE()).forEach(version -> versions.add(version.asInt()));
        } catch (SchemaRegistryException e) {
            // 40401: no such subject, nothing to delete; 40404: soft-deleted already, the permanent delete is left
            if (e.errorCode() == 40401) {
                return List.of();
            }
            if (e.errorCode() != 40404) {
                throw e;
            }
        }
        JsonNode permanent = send(HttpRequest.newBuilder(URI.create(uri + "?permanent=true")).DELETE());
        if (versions.isEmpty()) {
            permanent.forEach(version -> versions.add(version.asInt()));
        }
        idsBySubjectAndSchema.keySet().removeIf(key -> key.startsWith(subject + '\u0000'));
        return versions;
    }

    private Schema fetchSchema(int id) {
        JsonNode response = send(HttpRequest.newBuilder(baseUri.resolve("schemas/ids/" + id)).GET());
        String schema = response.path("schema").asText(null);
        if (schema == null) {
            throw new SchemaRegistryException("registry answered without a schema for id " + id, 200, -1);
        }
        return new Schema.Parser().parse(schema);
    }

    private JsonNode send(HttpRequest.Builder request) {
        HttpResponse<String> response;
        authorization.ifPresent(value -> request.header("Authorization", value));
        try {
            response = http.send(request.timeout(timeout).header("Accept", CONTENT_TYPE).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new SchemaRegistryException("schema registry at " + baseUri + " unreachable: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException("interrupted while calling the schema registry", e);
        }
        JsonNode body = parse(response.body());
        if (response.statusCode() / 100 != 2) {
            throw new SchemaRegistryException("schema registry answered " + response.statusCode() + ": "
                    + body.path("message").asText(response.body()), response.statusCode(),
                    body.path("error_code").asInt(-1));
        }
        return body;
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body == null || body.isEmpty() ? "{}" : body);
        } catch (IOException e) {
            return JSON.createObjectNode().put("message", body);
        }
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
