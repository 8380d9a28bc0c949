package dev.eventbank.registry;

import dev.eventbank.http.JwtClaimTypes;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.security.token.Claims;
import io.micronaut.security.token.jwt.validator.GenericJwtClaimsValidator;
import jakarta.inject.Singleton;

/**
 * Refuses an operator's bearer token whose {@code iss}, {@code sub} or {@code jti} is not a string in its JSON
 * ({@link JwtClaimTypes}: Nimbus reads a numeric {@code sub} as text). The services have the same rule
 * (service-support's {@code ClaimTypesValidator}), which the registry cannot use: it does not depend on
 * service-support (see {@link ExpiryRequiredClaimsValidator}).
 *
 * @param <T> the request type, as micronaut-security's validators
 */
@Singleton
final class ClaimTypesValidator<T> implements GenericJwtClaimsValidator<T> {

    @Override
    public boolean validate(Claims claims, T request) {
        // without a request there is no token text to read here (micronaut-security passes the request on every
        // HTTP call; only direct calls, such as tests', pass none)
        return !(request instanceof HttpRequest<?> http)
                || JwtClaimTypes.wrongTypeIn(http.getHeaders().get(HttpHeaders.AUTHORIZATION)).isEmpty();
    }
}
