package dev.eventbank.devissuer;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The development identity provider of {@code bin/local-stack}, {@code bin/dev-token} and the tests: one RSA key
 * pair kept in a directory, the public half as a JWKS file the services trust, and RS256-signed JWTs with the
 * claims our services check.
 *
 * <p>Files in the directory: {@value #PRIVATE_KEY_FILE} (the private key as a JWK, owner read/write only; never
 * commit it, {@code .local-stack-data} is git-ignored) and {@value #JWKS_FILE} (the public key set, what a real
 * provider serves at its JWKS URL). The first {@link #inDirectory} creates both; later ones load the same key, so
 * tokens printed by {@code bin/dev-token} keep working across restarts of the local stack.
 *
 * <p>Why our own code: the tests and the local stack need an issuer without a network service (no Docker engine,
 * no Keycloak here); Nimbus JOSE, the library micronaut-security-jwt checks tokens with, does the cryptography.
 * Production uses a real provider (docker-compose's Keycloak, or the bank's), configured by its JWKS URL.
 */
public final class DevIssuer {

    /** The {@code iss} claim of every token this issuer signs; the services' issuer check expects it locally. */
    public static final String ISSUER = "eventbank-dev";
    /** The {@code aud} claim: the one audience all our REST APIs accept. */
    public static final String AUDIENCE = "eventbank";
    /** The claim that holds the roles (micronaut-security's default {@code roles}). */
    public static final String ROLES_CLAIM = "roles";
    /** The roles the services know (docs: README, Security). */
    public static final List<String> ROLES = List.of("customer", "teller", "auditor", "operator");

    static final String PRIVATE_KEY_FILE = "dev-issuer-key.json";
    static final String JWKS_FILE = "jwks.json";

    private final RSAKey key;
    private final Path jwksFile;

    private DevIssuer(RSAKey key, Path jwksFile) {
        this.key = key;
        this.jwksFile = jwksFile;
    }

    /**
     * Loads the issuer's key from {@code directory}, or creates a 2048-bit RSA key there (with its JWKS file) when
     * there is none.
     *
     * @throws UncheckedIOException when the directory cannot be read or written, or holds a key file that is not
     *                              an RSA private JWK
     */
    public static DevIssuer inDirectory(Path directory) {
        try {
            Files.createDirectories(directory);
            Path keyFile = directory.resolve(PRIVATE_KEY_FILE);
            Path jwksFile = directory.resolve(JWKS_FILE);
            RSAKey key;
            if (Files.exists(keyFile)) {
                key = RSAKey.parse(Files.readString(keyFile, StandardCharsets.UTF_8));
                if (!key.isPrivate()) {
                    throw new IOException(keyFile + " holds no private key");
                }
            } else {
                key = new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256)
                        .keyIDFromThumbprint(true).generate();
                writePrivate(keyFile, key.toJSONString());
            }
            Files.writeString(jwksFile, new JWKSet(key.toPublicJWK()).toString(true), StandardCharsets.UTF_8);
            return new DevIssuer(key, jwksFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ParseException | JOSEException e) {
            throw new UncheckedIOException(new IOException("dev issuer key in " + directory + ": " + e.getMessage(), e));
        }
    }

    private static void writePrivate(Path keyFile, String json) throws IOException {
        try {
            Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(keyFile);
        } catch (FileAlreadyExistsException e) {
            // another process created it first: keep theirs, the caller's next load reads it
            return;
        }
        Files.writeString(keyFile, json, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
    }

    /** The public key set file: what the services' {@code jwks-static} signature configuration points at. */
    public Path jwksFile() {
        return jwksFile;
    }

    /**
     * The configuration that makes one of our services trust this issuer (and only it): the JWKS file as a static
     * key set, the issuer and the audience checks. Keys are Micronaut's, values strings, ready for system
     * properties or a service's start-up map.
     */
    public Map<String, String> serviceProperties() {
        return Map.of(
                "micronaut.security.token.jwt.signatures.jwks-static.dev.path", "file:" + jwksFile.toAbsolutePath(),
                "micronaut.security.token.jwt.claims-validators.issuer", ISSUER,
                "micronaut.security.token.jwt.claims-validators.audience", AUDIENCE);
    }

    /**
     * A token for {@code subject} with one role, valid from now for {@code validFor}.
     *
     * @param role     one of {@link #ROLES} (anything else is signed too: tests use it for unknown roles)
     * @param subject  the {@code sub} claim; for a customer, the customer id that owns accounts
     * @param validFor positive; the {@code exp} claim is now plus this, in whole seconds
     * @return the compact serialization ({@code header.claims.signature}) to send as {@code Authorization: Bearer}
     */
    public String token(String role, String subject, Duration validFor) {
        Instant now = Instant.now();
        return sign(claims(subject, List.of(role), now, now.plus(validFor)).build());
    }

    /** {@link #token(String, String, Duration)} valid for one hour, as {@code bin/dev-token} prints it. */
    public String token(String role, String subject) {
        return token(role, subject, Duration.ofHours(1));
    }

    /**
     * The claims this issuer puts in a token, as a builder a test can change before {@link #sign} (another
     * audience, an expiry in the past, no roles).
     */
    public static JWTClaimsSet.Builder claims(String subject, List<String> roles, Instant issuedAt, Instant expiresAt) {
        return new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .subject(subject)
                .claim(ROLES_CLAIM, roles)
                .issueTime(Date.from(issuedAt))
                .notBeforeTime(Date.from(issuedAt))
                .expirationTime(Date.from(expiresAt))
                .jwtID(UUID.randomUUID().toString());
    }

    /** Signs any claims with this issuer's key (RS256, with its key id): the compact serialization. */
    public String sign(JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("signing with the dev issuer's key failed", e);
        }
    }

    /** The role names as a set, for checks. */
    static Set<String> roleSet() {
        return Set.copyOf(ROLES);
    }
}
