package dev.eventbank.support.security;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTParser;
import dev.eventbank.http.JwtClaimTypes;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.security.token.Claims;
import io.micronaut.security.token.jwt.validator.GenericJwtClaimsValidator;
import jakarta.inject.Singleton;

import java.text.ParseException;

/**
 * Refuses a bearer token whose {@code iss}, {@code sub} or {@code jti} is not a string in its JSON
 * ({@link JwtClaimTypes}: Nimbus reads a numeric {@code sub} as text, so {@code "sub":123} and {@code "sub":"123"}
 * named the same customer). The refusal is a 401 whose detail says so ({@link TokenDiagnosis}).
 *
 * @param <T> the request type, as micronaut-security's validators
 */
@Singleton
@Requires(classes = GenericJwtClaimsValidator.class)
public final class ClaimTypesValidator<T> implements GenericJwtClaimsValidator<T> {

    @Override
    public boolean validate(Claims claims, T request) {
        return !(request instanceof HttpRequest<?> http) || wrongType(http.getHeaders().get(HttpHeaders.AUTHORIZATION)) == null;
    }

    /**
     * @param authorization the request's {@code Authorization} header, null when none
     * @return why its bearer token's claims have the wrong JSON type, or null when they do not (or it carries none)
     */
    public static String wrongType(String authorization) {
        if (authorization == null || !authorization.strip().regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        try {
            return JwtClaimTypes.wrongType(JSONObjectUtils.parse(JWTParser.parse(authorization.strip().substring(7).strip())
                    .getParsedParts()[1].decodeToString())).orElse(null);
        } catch (ParseException | RuntimeException e) {
            return "the token's claims are not a JSON object";
        }
    }
}
