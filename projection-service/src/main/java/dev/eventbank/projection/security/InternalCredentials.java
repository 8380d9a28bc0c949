package dev.eventbank.projection.security;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Value;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * The one client of the internal read API ({@code /internal/v1}): the query service, which authenticates as a
 * service with HTTP Basic credentials, {@code eventbank.security.internal.username} (default
 * {@value #DEFAULT_USERNAME}) and {@code eventbank.security.internal.password} (no default). Both services are
 * configured with the same two keys.
 *
 * <p>Without a password every internal read is refused (401): an internal API open to whoever reaches port 8084
 * would let a customer read another's history past the query service's per-account checks. That is logged once,
 * at start, as a WARN. The comparison takes the same time whatever the candidate is (both sides are hashed with
 * SHA-256 first, then compared with {@link MessageDigest#isEqual}, so neither the content nor the length leaks).
 */
@Context
public final class InternalCredentials {

    /** The role of an authenticated internal client; only {@link InternalApiRule} grants anything to it. */
    public static final String ROLE = "service";
    public static final String DEFAULT_USERNAME = "query-service";

    private static final Logger LOG = LoggerFactory.getLogger(InternalCredentials.class);

    private final byte[] username;
    private final Optional<byte[]> password;

    InternalCredentials(@Value("${eventbank.security.internal.username:" + DEFAULT_USERNAME + "}") String username,
                        @Value("${eventbank.security.internal.password:}") String password) {
        this.username = sha256(username);
        this.password = password.isEmpty() ? Optional.empty() : Optional.of(sha256(password));
        if (this.password.isEmpty()) {
            LOG.warn("internal API closed: eventbank.security.internal.password is not set, so every request to "
                    + "/internal/v1 is refused (401) and the query service's history, time travel and totals answer 503; "
                    + "set the same eventbank.security.internal.username/password on both services");
        }
    }

    /** Whether a password is configured (without one, nothing matches). */
    public boolean configured() {
        return password.isPresent();
    }

    /** True when both match the configured credentials; always false without a configured password. */
    public boolean matches(String candidateUsername, String candidatePassword) {
        if (candidateUsername == null || candidatePassword == null) {
            return false;
        }
        // both compared every time (no short circuit), in constant time
        boolean user = MessageDigest.isEqual(username, sha256(candidateUsername));
        boolean secret = MessageDigest.isEqual(password.orElseGet(() -> new byte[32]), sha256(candidatePassword));
        return user & secret & password.isPresent();
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
