package dev.eventbank.support.security;

import dev.eventbank.http.JwtClaimTypes;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.security.token.Claims;
import io.micronaut.security.token.jwt.validator.GenericJwtClaimsValidator;
import jakarta.inject.Singleton;

/**
 * Refuses a bearer token whose {@code iss}, {@code sub} or {@code jti} is not a string in its JSON
 * ({@link JwtClaimTypes}: Nimbus reads a numeric {@code sub} as text, so {@code "sub":123} and {@code "sub":"123"}
 * named the same customer). The refusal is a 401 whose detail says so ({@link TokenDiagnosis}). It reads the token
 * from the request's {@code Authorization} header, the only place a service takes one from (micronaut-security's
 * bearer reader; cookies are off), and micronaut-security passes the request to every claims validator.
 *
 * @param <T> the request type, as micronaut-security's validators
 */
@Singleton
@Requires(classes = GenericJwtClaimsValidator.class)
public final class ClaimTypesValidator<T> implements GenericJwtClaimsValidator<T> {

    @Override
    public boolean validate(Claims claims, T request) {
        // without a request there is no token text to read here (micronaut-security passes the request on every
        // HTTP call; only direct calls, such as tests', pass none)
        return !(request instanceof HttpRequest<?> http)
                || JwtClaimTypes.wrongTypeIn(http.getHeaders().get(HttpHeaders.AUTHORIZATION)).isEmpty();
    }
}
