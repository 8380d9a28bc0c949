package dev.eventbank.support.testing;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import dev.eventbank.devissuer.DevIssuer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every way a bearer token is refused, for one caller, as the services' security ITs send them: each entry maps a
 * part of the 401's detail ({@code dev.eventbank.support.security.TokenDiagnosis}) to the {@code Authorization}
 * value that must get it ({@code ""}: no header, see {@link ServiceUnderTest#get(String, Map)}). Apart from the one
 * fault of each, the tokens are valid ones of {@link ServiceUnderTest#issuer()} for {@code role} and {@code subject}.
 */
public final class ForgedTokens {

    private ForgedTokens() {
    }

    /** The refused {@code Authorization} values by the detail each gets, made now (valid tokens for 10 minutes). */
    public static Map<String, String> forRole(String role, String subject) {
        Instant now = Instant.now();
        DevIssuer trusted = ServiceUnderTest.issuer();
        Map<String, String> forged = new LinkedHashMap<>();
        forged.put("needs an OAuth 2.0 bearer token", "");
        forged.put("unsigned (alg 'none')", "Bearer " + new PlainJWT(claims(role, subject, now).build()).serialize());
        forged.put("signature does not verify", "Bearer " + anotherIssuer().token(role, subject));
        forged.put("issuer is not one this API trusts",
                "Bearer " + trusted.sign(claims(role, subject, now).issuer("https://evil.example").build()));
        forged.put("expired at", "Bearer " + trusted.sign(DevIssuer.claims(subject, List.of(role),
                now.minusSeconds(7200), now.minusSeconds(600)).build()));
        forged.put("not valid before", "Bearer " + trusted.sign(DevIssuer.claims(subject, List.of(role),
                now.plusSeconds(3600), now.plusSeconds(7200)).build()));
        forged.put("Unexpected type of JSON object member exp", "Bearer " + trusted.sign(claims(role, subject, now)
                .claim("exp", String.valueOf(now.plusSeconds(600).getEpochSecond())).build()));
        forged.put("has no expiry", "Bearer " + trusted.sign(claims(role, subject, now).expirationTime(null).build()));
        forged.put("audience (aud) must include 'eventbank'",
                "Bearer " + trusted.sign(claims(role, subject, now).audience("another-api").build()));
        forged.put("not a well-formed JWT", "Bearer not.a-jwt");
        forged.put("Bearer scheme", "Basic dGVsbGVyOnRlbGxlcg==");
        forged.put("carries no token", "Bearer");
        return forged;
    }

    private static JWTClaimsSet.Builder claims(String role, String subject, Instant now) {
        return DevIssuer.claims(subject, List.of(role), now, now.plusSeconds(600));
    }

    /** An issuer with a key of its own (in a new directory under target/it-state), which the services do not trust. */
    public static DevIssuer anotherIssuer() {
        try {
            return DevIssuer.inDirectory(Files.createTempDirectory(
                    Files.createDirectories(Path.of("target", "it-state")), "another-issuer-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
