package dev.eventbank.devissuer;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DevIssuerTest {

    @Test
    void aTokenVerifiesAgainstThePublishedKeySetAndCarriesTheClaimsTheServicesCheck(@TempDir Path dir) throws Exception {
        DevIssuer issuer = DevIssuer.inDirectory(dir);
        SignedJWT jwt = SignedJWT.parse(issuer.token("customer", "cust-42", Duration.ofMinutes(5)));

        RSAKey published = (RSAKey) JWKSet.load(issuer.jwksFile().toFile()).getKeys().get(0);
        assertFalse(published.isPrivate(), "the JWKS file must hold the public key only");
        assertTrue(jwt.verify(new RSASSAVerifier(published)));
        assertEquals(published.getKeyID(), jwt.getHeader().getKeyID());
        assertEquals("RS256", jwt.getHeader().getAlgorithm().getName());
        assertEquals(DevIssuer.ISSUER, jwt.getJWTClaimsSet().getIssuer());
        assertEquals(List.of(DevIssuer.AUDIENCE), jwt.getJWTClaimsSet().getAudience());
        assertEquals("cust-42", jwt.getJWTClaimsSet().getSubject());
        assertEquals(List.of("customer"), jwt.getJWTClaimsSet().getStringListClaim("roles"));
        long lifetime = jwt.getJWTClaimsSet().getExpirationTime().getTime() - jwt.getJWTClaimsSet().getIssueTime().getTime();
        assertEquals(Duration.ofMinutes(5).toMillis(), lifetime);
    }

    @Test
    void theKeyIsKeptPrivateAndReusedSoTokensSurviveARestart(@TempDir Path dir) throws Exception {
        String token = DevIssuer.inDirectory(dir).token("teller", "t-1");
        DevIssuer again = DevIssuer.inDirectory(dir);

        RSAKey published = (RSAKey) JWKSet.load(again.jwksFile().toFile()).getKeys().get(0);
        assertTrue(SignedJWT.parse(token).verify(new RSASSAVerifier(published)));
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve(DevIssuer.PRIVATE_KEY_FILE))));
    }

    @Test
    void anotherDirectoryIsAnotherKeyThatTheFirstKeySetRefuses(@TempDir Path one, @TempDir Path two) throws Exception {
        DevIssuer first = DevIssuer.inDirectory(one);
        String foreign = DevIssuer.inDirectory(two).token("teller", "t-1");

        RSAKey published = (RSAKey) JWKSet.load(first.jwksFile().toFile()).getKeys().get(0);
        assertFalse(SignedJWT.parse(foreign).verify(new RSASSAVerifier(published)));
    }
}
