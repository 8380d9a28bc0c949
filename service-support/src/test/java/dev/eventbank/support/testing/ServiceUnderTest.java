package dev.eventbank.support.testing;

import dev.eventbank.devissuer.DevIssuer;
import dev.eventbank.testbroker.TestBroker;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * One service started in the test JVM for an integration test: its Micronaut context with the embedded HTTP
 * server on a random port, against the JVM's shared test broker ({@link TestBroker#shared()}: a container, or the
 * broker from the Kafka jars), with an in-memory schema registry, a unique Kafka Streams application id and state
 * directory (Kafka Streams does not leave its group on close, so a reused id would stall the next test) and 3
 * partitions; plus the HTTP calls the tests make (JDK client, HTTP/1.1, 30 s timeout, bodies as strings).
 *
 * <p>Limits: whichever service's classes are on the test class path is started (the fixture names none); the
 * configuration keys are the ones the three services share, anything else goes in {@code extra}; the broker is
 * shared by every test class of the JVM, so topics are too.
 */
public final class ServiceUnderTest implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final EmbeddedServer server;

    private ServiceUnderTest(EmbeddedServer server) {
        this.server = server;
    }

    /**
     * @param name prefixes the application id, the writers' ids and the state directory, e.g. {@code openapi-it};
     *             the registry is {@link #sharedRegistryUrl()}, since every test of the JVM shares the broker's topics
     */
    public static ServiceUnderTest start(String name) throws IOException {
        return start(name, Map.of());
    }

    /** As {@link #start(String)}, with more (or overriding) configuration. */
    public static ServiceUnderTest start(String name, Map<String, Object> extra) throws IOException {
        Map<String, Object> config = new HashMap<>(Map.of(
                "micronaut.server.port", -1,
                "kafka.bootstrap.servers", TestBroker.shared().bootstrapServers(),
                "schema-registry.url", SHARED_REGISTRY_URL,
                "eventbank.streams.application-id", name + "-" + UUID.randomUUID(),
                "eventbank.streams.state-dir", stateDir(name).toString(),
                // the command writers' checkpoint files: else under java.io.tmpdir, left behind by every run
                "eventbank.commands.state-dir", stateDir(name + "-writers").toString(),
                // the command service's writers' group and transactional ids, unique like the application id
                "eventbank.commands.group-id", name + "-writers-" + UUID.randomUUID(),
                "eventbank.commands.transactional-id-prefix", name + "-writer-" + UUID.randomUUID(),
                "eventbank.topics.partitions", 3));
        // every service of the JVM trusts the one test issuer (properties a service without security ignores)
        config.putAll(issuer().serviceProperties());
        config.putAll(extra);
        return new ServiceUnderTest(ApplicationContext.run(EmbeddedServer.class, config));
    }

    /**
     * A fresh Kafka Streams state directory under the module's {@code target/it-state}: {@code mvn clean} removes it,
     * and nothing is left in the system's temporary directory.
     */
    /**
     * One in-memory registry for every test of this JVM, as production has one registry per cluster: the tests
     * share the broker's topics, and a service that reads records another test wrote (the command service's
     * writers restore whole partitions, a projection folds the whole event log) must resolve their schema ids.
     * With a registry per test, an id meant another schema or nothing, and a projection's totals counted another
     * test's event in one generation and not in the next.
     */
    public static String sharedRegistryUrl() {
        return SHARED_REGISTRY_URL;
    }

    private static final String SHARED_REGISTRY_URL = "mock://shared-" + UUID.randomUUID();

    /**
     * The one token issuer of this JVM's tests (its key under {@code target/it-security}), which every service
     * started here trusts: {@link DevIssuer#token(String, String)} makes a token for any role and subject.
     */
    public static synchronized DevIssuer issuer() {
        if (issuer == null) {
            issuer = DevIssuer.inDirectory(Path.of("target", "it-security").toAbsolutePath());
        }
        return issuer;
    }

    private static DevIssuer issuer;

    /** {@code Bearer <token>} for a token of the test issuer with this role and subject, valid for an hour. */
    public static String bearer(String role, String subject) {
        return "Bearer " + issuer().token(role, subject);
    }

    /** The identity of a request that names none: a teller, who may send every command and read every account. */
    private static final String DEFAULT_AUTHORIZATION = "Bearer " + issuer().token("teller", "it-teller", Duration.ofHours(6));

    public static Path stateDir(String name) throws IOException {
        return Files.createTempDirectory(Files.createDirectories(Path.of("target", "it-state")), name + "-");
    }

    /** Polls {@code GET /health} until it answers 200 or {@code within} has passed (the tests then say what is wrong). */
    public ServiceUnderTest awaitHealthy(Duration within) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (get("/health").statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        return this;
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return get(path, Map.of());
    }

    /**
     * {@code GET path} with these headers. Without an {@code Authorization} header the request is a teller's
     * ({@link #bearer}); with an empty one it sends none (an anonymous request).
     */
    public HttpResponse<String> get(String path, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path))).timeout(TIMEOUT).GET();
        withHeaders(request, headers);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** POSTs {@code json} as {@code application/json}; {@code Authorization} as in {@link #get(String, Map)}. */
    public HttpResponse<String> post(String path, String json, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path))).timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        withHeaders(request, headers);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void withHeaders(HttpRequest.Builder request, Map<String, String> headers) {
        if (!headers.containsKey("Authorization")) {
            request.header("Authorization", DEFAULT_AUTHORIZATION);
        }
        headers.forEach((name, value) -> {
            if (!(name.equals("Authorization") && value.isEmpty())) {
                request.header(name, value);
            }
        });
    }

    /** The Prometheus text of {@code GET /prometheus}. */
    public String scrape() throws IOException, InterruptedException {
        return get("/prometheus").body();
    }

    public String url(String path) {
        return "http://localhost:" + server.getPort() + path;
    }

    public int port() {
        return server.getPort();
    }

    public ApplicationContext context() {
        return server.getApplicationContext();
    }

    @Override
    public void close() {
        server.getApplicationContext().close();
    }
}
