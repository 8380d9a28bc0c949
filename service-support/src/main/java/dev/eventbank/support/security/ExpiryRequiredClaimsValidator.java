package dev.eventbank.support.security;

import io.micronaut.context.annotation.Requires;
import io.micronaut.security.token.Claims;
import io.micronaut.security.token.jwt.validator.GenericJwtClaimsValidator;
import jakarta.inject.Singleton;

/**
 * Refuses a bearer token without an expiry ({@code exp}): micronaut-security-jwt's own expiration check passes a token
 * that has none, which would be valid forever (found by SecurityIT's "without an expiry" case). RFC 7519 makes
 * {@code exp} optional; a bank's APIs require it (RFC 9068 section 2.2 requires it of OAuth 2.0 access tokens).
 * The refusal is a 401 whose detail says so ({@link TokenDiagnosis}).
 *
 * @param <T> the request type, as micronaut-security's validators
 */
@Singleton
@Requires(classes = GenericJwtClaimsValidator.class)
public final class ExpiryRequiredClaimsValidator<T> implements GenericJwtClaimsValidator<T> {

    @Override
    public boolean validate(Claims claims, T request) {
        return claims.get(Claims.EXPIRATION_TIME) != null;
    }
}
