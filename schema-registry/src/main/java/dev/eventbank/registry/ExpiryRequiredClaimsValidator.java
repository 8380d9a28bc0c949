package dev.eventbank.registry;

import io.micronaut.security.token.Claims;
import io.micronaut.security.token.jwt.validator.GenericJwtClaimsValidator;
import jakarta.inject.Singleton;

/**
 * Refuses an operator's bearer token without an expiry ({@code exp}): micronaut-security-jwt's expiration check
 * passes a token that has none, which would be valid forever. The services have the same rule
 * (service-support's {@code ExpiryRequiredClaimsValidator}); the registry does not depend on service-support, whose
 * problem+json handlers would replace the Confluent error bodies its clients rely on.
 *
 * @param <T> the request type, as micronaut-security's validators
 */
@Singleton
final class ExpiryRequiredClaimsValidator<T> implements GenericJwtClaimsValidator<T> {

    @Override
    public boolean validate(Claims claims, T request) {
        return claims.get(Claims.EXPIRATION_TIME) != null;
    }
}
