package dev.eventbank.registry;

import dev.eventbank.devissuer.DevIssuer;
import dev.eventbank.testbroker.TestBroker;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The registry as the integration tests start it: on the shared test broker, a free port, its own topic, two Basic
 * users ({@link #WRITER}, with the writer role, and {@link #READER}, with none; passwords random per JVM) and the
 * tests' token issuer ({@link #issuer()}) trusted for bearer tokens.
 */
final class TestRegistries {

    static final String WRITER = "itwriter";
    static final String WRITER_PASSWORD = "w-" + UUID.randomUUID();
    static final String READER = "itreader";
    static final String READER_PASSWORD = "r-" + UUID.randomUUID();
    /** Confluent's {@code basic.auth.user.info} of the writer. */
    static final String WRITER_USER_INFO = WRITER + ":" + WRITER_PASSWORD;

    private static DevIssuer issuer;

    private TestRegistries() {
    }

    static EmbeddedServer start(String topic) {
        Map<String, Object> config = new HashMap<>(Map.of(
                "kafka.bootstrap.servers", TestBroker.shared().bootstrapServers(),
                "micronaut.server.port", -1,
                "registry.topic", topic,
                "registry.security.users." + WRITER + ".password", WRITER_PASSWORD,
                "registry.security.users." + WRITER + ".roles", "writer",
                "registry.security.users." + READER + ".password", READER_PASSWORD));
        config.putAll(issuer().serviceProperties());
        return ApplicationContext.run(EmbeddedServer.class, config);
    }

    /** The issuer whose tokens the registries started here accept (its key under {@code target/it-security}). */
    static synchronized DevIssuer issuer() {
        if (issuer == null) {
            issuer = DevIssuer.inDirectory(Path.of("target", "it-security").toAbsolutePath());
        }
        return issuer;
    }

    /** {@code Authorization: Basic} for {@code user:password}. */
    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The request with the writer's credentials. */
    static HttpRequest.Builder asWriter(HttpRequest.Builder request) {
        return request.header("Authorization", basic(WRITER, WRITER_PASSWORD));
    }
}
