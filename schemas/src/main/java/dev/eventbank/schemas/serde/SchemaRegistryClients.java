package dev.eventbank.schemas.serde;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Picks the registry client for a configured URL. As with Confluent's serdes, a {@code mock://scope} URL
 * gives an in-memory registry shared by everything in this JVM that names the same scope: for tests of one
 * service that run without a registry process. Anything else is a Confluent-compatible registry over HTTP.
 */
public final class SchemaRegistryClients {

    private static final String MOCK_SCHEME = "mock://";
    private static final Map<String, SchemaRegistryClient> MOCK_SCOPES = new ConcurrentHashMap<>();

    private SchemaRegistryClients() {
    }

    public static SchemaRegistryClient forUrl(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("schema registry URL is not configured");
        }
        if (url.startsWith(MOCK_SCHEME)) {
            return MOCK_SCOPES.computeIfAbsent(url.substring(MOCK_SCHEME.length()), scope -> new InMemorySchemaRegistryClient());
        }
        return new HttpSchemaRegistryClient(url);
    }
}
