package dev.eventbank.registry;

import io.micronaut.http.HttpRequest;
import io.micronaut.security.authentication.AuthenticationFailureReason;
import io.micronaut.security.authentication.AuthenticationRequest;
import io.micronaut.security.authentication.AuthenticationResponse;
import io.micronaut.security.authentication.provider.HttpRequestAuthenticationProvider;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checks HTTP Basic credentials (micronaut-security's Basic fetcher hands them over) against the configured
 * {@link RegistryUser}s: success carries the user's roles; an unknown user, a wrong password or a user without a
 * password fail alike (the request then counts as anonymous, so a write is refused with 401).
 *
 * <p>The comparison is constant-time: SHA-256 digests of the given and the configured password compared with
 * {@link MessageDigest#isEqual}, so neither the length nor a common prefix shows in the time taken; an unknown user
 * is compared against a dummy digest for the same reason. One log line per refusal, with the user name, never the
 * password.
 */
@Singleton
final class RegistryUsersAuthenticationProvider<B> implements HttpRequestAuthenticationProvider<B> {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryUsersAuthenticationProvider.class);
    private static final byte[] NO_USER = sha256("\u0000no such user\u0000");

    private final Map<String, byte[]> digests = new LinkedHashMap<>();
    private final Map<String, RegistryUser> users = new LinkedHashMap<>();

    RegistryUsersAuthenticationProvider(Collection<RegistryUser> configured) {
        for (RegistryUser user : configured) {
            if (user.getPassword().isEmpty()) {
                LOG.warn("registry user without a password cannot log in user={}", user.getName());
                continue;
            }
            users.put(user.getName(), user);
            digests.put(user.getName(), sha256(user.getPassword()));
        }
        LOG.info("registry users configured users={}", users.values());
    }

    @Override
    public AuthenticationResponse authenticate(HttpRequest<B> request, AuthenticationRequest<String, String> credentials) {
        String name = credentials.getIdentity();
        byte[] expected = digests.getOrDefault(name, NO_USER);
        boolean matches = MessageDigest.isEqual(expected, sha256(credentials.getSecret() == null ? "" : credentials.getSecret()));
        RegistryUser user = users.get(name);
        if (user == null || !matches) {
            LOG.info("registry authentication refused user=\"{}\" method={} path={}", abbreviate(name),
                    request.getMethodName(), request.getPath());
            return AuthenticationResponse.failure(AuthenticationFailureReason.CREDENTIALS_DO_NOT_MATCH);
        }
        return AuthenticationResponse.success(user.getName(), user.getRoles());
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** A user name is the client's input: bounded and on one line in the log. */
    private static String abbreviate(String name) {
        if (name == null) {
            return "";
        }
        String line = name.replaceAll("[\\p{Cntrl}\"]", "?");
        return line.length() <= 64 ? line : line.substring(0, 64) + "...";
    }
}
