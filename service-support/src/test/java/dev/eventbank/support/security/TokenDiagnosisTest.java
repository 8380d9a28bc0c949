package dev.eventbank.support.security;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.eventbank.devissuer.DevIssuer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The 401's detail names the first reason a client can fix, for each way a token is refused. */
class TokenDiagnosisTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final Optional<String> ISSUER = Optional.of(DevIssuer.ISSUER);
    private static final Optional<String> AUDIENCE = Optional.of(DevIssuer.AUDIENCE);

    @Test
    void shouldNameTheReasonOfEachRefusal(@TempDir Path dir) throws Exception {
        DevIssuer issuer = DevIssuer.inDirectory(dir);
        assertReason(null, "needs an OAuth 2.0 bearer token");
        assertReason("Basic dGVsbGVyOnRlbGxlcg==", "Bearer scheme");
        assertReason("Bearer not.a-jwt", "not a well-formed JWT");
        assertReason("Bearer " + new PlainJWT(DevIssuer.claims("t", List.of("teller"), NOW, NOW.plusSeconds(60)).build()).serialize(),
                "unsigned (alg 'none')");
        assertReason("Bearer " + issuer.sign(DevIssuer.claims("t", List.of("teller"), NOW.minusSeconds(600), NOW.minusSeconds(60)).build()),
                "expired at 2026-12-01T11:59:00Z");
        assertReason("Bearer " + issuer.sign(DevIssuer.claims("t", List.of("teller"), NOW, NOW.plusSeconds(60)).expirationTime(null).build()),
                "has no expiry");
        // seconds past what a long holds in milliseconds: read as a time before 1970, not "expired at 1969"
        assertReason("Bearer " + issuer.sign(DevIssuer.claims("t", List.of("teller"), NOW, NOW.plusSeconds(60))
                        .claim("exp", Long.MAX_VALUE / 10).build()), "expiry (exp) is not a time this API can read");
        assertReason("Bearer " + issuer.sign(DevIssuer.claims("t", List.of("teller"), NOW, NOW.plusSeconds(60))
                        .claim("exp", 0L).build()), "expiry (exp) is not a time this API can read");
        assertReason("Bearer " + issuer.sign(DevIssuer.claims("t", List.of("teller"), NOW.plusSeconds(30), NOW.plusSeconds(60)).build()),
                "not valid before");
        assertReason("Bearer " + issuer.sign(DevIssuer.claims("t", List.of("teller"), NOW, NOW.plusSeconds(60)).issuer("https://evil.example").build()),
                "issuer is not one this API trusts");
        assertReason("Bearer " + issuer.sign(DevIssuer.claims("t", List.of("teller"), NOW, NOW.plusSeconds(60)).audience("other").build()),
                "audience (aud) must include 'eventbank'");
        assertReason("Bearer " + issuer.sign(DevIssuer.claims(null, List.of("teller"), NOW, NOW.plusSeconds(60)).build()),
                "has no subject (sub)");
        // a number as the subject, which Nimbus reads as its decimal text
        assertReason("Bearer " + issuer.sign(DevIssuer.claims("t", List.of("customer"), NOW, NOW.plusSeconds(60))
                .claim("sub", 123).build()), "sub must be a string (RFC 7519 section 4.1), got a number");
        assertReason("Bearer " + issuer.sign(DevIssuer.claims("t", List.of("customer"), NOW, NOW.plusSeconds(60))
                .claim("jti", 5).build()), "jti must be a string (RFC 7519 section 4.1), got a number");
        // roles of another shape than a list of strings, which micronaut-security read as roles anyway
        assertReason("Bearer " + issuer.sign(DevIssuer.claims("t", List.of(), NOW, NOW.plusSeconds(60))
                .claim("roles", "teller").build()), "roles must be a list of strings, such as [\"teller\"], got a string");
        assertReason("Bearer " + issuer.sign(DevIssuer.claims("t", List.of(), NOW, NOW.plusSeconds(60))
                .claim("roles", List.of("teller", 5)).build()), "roles must be a list of strings, such as [\"teller\"], got a list with a number in it");
        assertReason("Bearer " + issuer.sign(DevIssuer.claims("t", List.of(), NOW, NOW.plusSeconds(60))
                .claim("roles", java.util.Arrays.asList("teller", null)).build()), "roles must be a list of strings, such as [\"teller\"], got a list with null in it");
        for (String blank : List.of("", "  ", "a\u0000b")) {
            assertReason("Bearer " + issuer.sign(DevIssuer.claims("t", List.of("customer"), NOW, NOW.plusSeconds(60))
                    .claim("sub", blank).build()), "sub must name someone");
        }
        RSAKey key = new RSAKeyGenerator(2048).keyID("k").generate();
        SignedJWT critical = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k").type(JOSEObjectType.JWT)
                .criticalParams(Set.of("eventbank-unknown")).customParam("eventbank-unknown", true).build(),
                DevIssuer.claims("t", List.of("teller"), NOW, NOW.plusSeconds(60)).build());
        critical.sign(new RSASSASigner(key));
        assertReason("Bearer " + critical.serialize(), "critical header parameters (crit)");
        // a token that passes every check a client can see was signed by a key this API does not trust
        assertReason("Bearer " + issuer.sign(DevIssuer.claims("t", List.of("teller"), NOW, NOW.plusSeconds(60)).build()),
                "signature does not verify");
    }

    private static void assertReason(String authorization, String expected) {
        String detail = TokenDiagnosis.explain(Optional.ofNullable(authorization), ISSUER, AUDIENCE, NOW);
        assertTrue(detail.contains(expected), "'" + expected + "' not in: " + detail);
        assertTrue(authorization == null || !detail.contains(authorization.substring(authorization.indexOf(' ') + 1)),
                "the detail echoes the token");
        assertEquals(detail.strip(), detail);
    }
}
