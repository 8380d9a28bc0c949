package dev.eventbank.schemas.serde;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Picks the registry client for a configured URL. As with Confluent's serdes, a {@code mock://scope} URL
 * gives an in-memory registry shared by everything in this JVM that names the same scope: for tests of one
 * service that run without a registry process. Anything else is a Confluent-compatible registry over HTTP.
 *
 * <p>Configuration uses Confluent's client property names ({@link #forConfig}), so the settings of a Confluent
 * serde carry over: {@value #URL}, {@value #CREDENTIALS_SOURCE} and {@value #USER_INFO}.
 */
public final class SchemaRegistryClients {

    /** Confluent's {@code schema.registry.url}: the registry's base URL, or {@code mock://scope}. */
    public static final String URL = "schema.registry.url";
    /** Confluent's {@code basic.auth.credentials.source}; {@value #SOURCE_USER_INFO} is the one source we support. */
    public static final String CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    /** Confluent's {@code basic.auth.user.info}: {@code user:password} for HTTP Basic. */
    public static final String USER_INFO = "basic.auth.user.info";
    public static final String SOURCE_USER_INFO = "USER_INFO";

    private static final String MOCK_SCHEME = "mock://";
    private static final Map<String, SchemaRegistryClient> MOCK_SCOPES = new ConcurrentHashMap<>();

    private SchemaRegistryClients() {
    }

    /** A client for {@code url} without credentials; see {@link #forConfig}. */
    public static SchemaRegistryClient forUrl(String url) {
        return forConfig(Map.of(URL, url == null ? "" : url));
    }

    /**
     * A client from Confluent's client properties: {@value #URL} (required), and for HTTP Basic
     * {@value #CREDENTIALS_SOURCE}{@code =USER_INFO} with {@value #USER_INFO}{@code =user:password}. A user info
     * without a source counts as {@code USER_INFO}, as the services configure it with one key; a blank user info
     * means no credentials. A {@code mock://} registry ignores credentials.
     *
     * @throws IllegalArgumentException when the URL is missing, the source is another one (Confluent's {@code URL}
     *                                  or {@code SASL_INHERIT} are not supported), or the user info is not
     *                                  {@code user:password}
     */
    public static SchemaRegistryClient forConfig(Map<String, ?> config) {
        String url = string(config, URL);
        String source = string(config, CREDENTIALS_SOURCE);
        Object rawUserInfo = config.get(USER_INFO);
        // not trimmed: a password may begin or end with a space
        String userInfo = rawUserInfo == null ? "" : rawUserInfo.toString();
        if (!source.isBlank() && !source.equals(SOURCE_USER_INFO)) {
            throw new IllegalArgumentException(CREDENTIALS_SOURCE + "=" + source + " is not supported; use "
                    + SOURCE_USER_INFO + " with " + USER_INFO);
        }
        if (url.isBlank()) {
            throw new IllegalArgumentException("schema registry URL is not configured");
        }
        if (url.startsWith(MOCK_SCHEME)) {
            return MOCK_SCOPES.computeIfAbsent(url.substring(MOCK_SCHEME.length()), scope -> new InMemorySchemaRegistryClient());
        }
        return new HttpSchemaRegistryClient(url, Duration.ofSeconds(10),
                userInfo.isBlank() ? Optional.empty() : Optional.of(userInfo));
    }

    private static String string(Map<String, ?> config, String key) {
        Object value = config.get(key);
        return value == null ? "" : value.toString().trim();
    }
}
