package dev.eventbank.command.security;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Value;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;

/**
 * The command service's instance credential: what one instance shows another when it forwards a command to the owner
 * of the account's partition ({@code /internal/**}), so that only instances of this service reach those routes. A
 * shared secret, configured the same on every instance: {@code eventbank.security.internal.username} (default
 * {@value #DEFAULT_USERNAME}) and {@code eventbank.security.internal.password} (no default), sent in the header
 * {@value #HEADER} as {@code Basic base64(username:password)} (RFC 7617's syntax in a header of its own).
 *
 * <p>Why a header of its own: the forwarded request's {@code Authorization} header carries the original caller's
 * bearer token, which the owner checks itself and applies the account rules to; micronaut-security authenticates a
 * request with one credential only (the first of its authentication fetchers that finds one), so the instance
 * credential is checked by {@link InternalApiRule} beside it, not by an authentication provider.
 *
 * <p>Without a password {@code /internal/**} refuses everything: that is right for a single instance (it owns every
 * partition and never forwards); several instances need the same password on each. That is logged once, at start, as
 * a WARN. The comparison takes the same time whatever the candidate is (both sides hashed with SHA-256, then compared
 * with {@link MessageDigest#isEqual}, so neither the content nor the length leaks).
 *
 * <p>Limits: a shared secret, not mutual TLS: anyone who reads one instance's configuration can call another's
 * internal routes (with a user's token still needed, and the account rules still applied to it); the header travels
 * in clear text unless the instances talk over TLS.
 */
@Context
public final class InstanceCredentials {

    /** The request header that carries the instance credential. */
    public static final String HEADER = "X-Eventbank-Instance-Auth";
    public static final String DEFAULT_USERNAME = "command-service";

    private static final Logger LOG = LoggerFactory.getLogger(InstanceCredentials.class);
    private static final String BASIC = "Basic ";

    /** How a request's instance credential compares with this instance's. */
    public enum Check {
        /** Username and password match. */
        ACCEPTED,
        /** This instance has no password configured: nothing matches. */
        NOT_CONFIGURED,
        /** The request has no {@value #HEADER} header (or an empty one). */
        MISSING,
        /** A header that is not {@code Basic base64(username:password)}, or whose username or password differ. */
        WRONG
    }

    private final String username;
    private final byte[] usernameHash;
    private final Optional<String> password;
    private final Optional<byte[]> passwordHash;

    InstanceCredentials(@Value("${eventbank.security.internal.username:" + DEFAULT_USERNAME + "}") String username,
                        @Value("${eventbank.security.internal.password:}") String password) {
        this.username = username;
        this.usernameHash = sha256(username);
        this.password = Optional.of(password).filter(p -> !p.isEmpty());
        this.passwordHash = this.password.map(InstanceCredentials::sha256);
        if (this.password.isEmpty()) {
            LOG.warn("internal API closed: eventbank.security.internal.password is not set, so every request to "
                    + "/internal/** is refused (403) and this instance cannot forward commands to another; fine for a "
                    + "single instance, which owns every partition; set the same eventbank.security.internal."
                    + "username/password on every instance of the command service");
        }
    }

    /** Whether a password is configured (without one, nothing matches and nothing is sent). */
    public boolean configured() {
        return password.isPresent();
    }

    /** The {@value #HEADER} value this instance sends when it forwards; empty without a configured password. */
    public Optional<String> headerValue() {
        return password.map(p -> BASIC + Base64.getEncoder().encodeToString((username + ":" + p)
                .getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Compares a request's {@value #HEADER} value (null when absent) with this instance's credential, in constant
     * time for a given header length.
     */
    public Check check(String headerValue) {
        if (headerValue == null || headerValue.isBlank()) {
            return configured() ? Check.MISSING : Check.NOT_CONFIGURED;
        }
        String candidateUsername = "";
        String candidatePassword = "";
        boolean wellFormed = false;
        if (headerValue.regionMatches(true, 0, BASIC, 0, BASIC.length())) {
            try {
                String decoded = new String(Base64.getDecoder().decode(headerValue.substring(BASIC.length()).trim()),
                        StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon >= 0) {
                    candidateUsername = decoded.substring(0, colon);
                    candidatePassword = decoded.substring(colon + 1);
                    wellFormed = true;
                }
            } catch (IllegalArgumentException e) {
                // not base64: a wrong credential like any other
            }
        }
        // both compared every time (no short circuit), in constant time
        boolean user = MessageDigest.isEqual(usernameHash, sha256(candidateUsername));
        boolean secret = MessageDigest.isEqual(passwordHash.orElseGet(() -> new byte[32]), sha256(candidatePassword));
        if (!configured()) {
            return Check.NOT_CONFIGURED;
        }
        return wellFormed & user & secret ? Check.ACCEPTED : Check.WRONG;
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
