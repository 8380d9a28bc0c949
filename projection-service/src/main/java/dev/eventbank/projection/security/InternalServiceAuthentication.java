package dev.eventbank.projection.security;

import io.micronaut.http.HttpRequest;
import io.micronaut.security.authentication.AuthenticationFailureReason;
import io.micronaut.security.authentication.AuthenticationRequest;
import io.micronaut.security.authentication.AuthenticationResponse;
import io.micronaut.security.authentication.provider.HttpRequestAuthenticationProvider;
import jakarta.inject.Singleton;

import java.util.List;

/**
 * Authenticates HTTP Basic credentials (micronaut-security's basic-auth fetcher hands them here) against
 * {@link InternalCredentials}: a match is the internal client with role {@link InternalCredentials#ROLE}, anything
 * else a failure (the request stays anonymous and is refused with a 401). Bearer tokens never reach this class.
 */
@Singleton
final class InternalServiceAuthentication<B> implements HttpRequestAuthenticationProvider<B> {

    private final InternalCredentials credentials;

    InternalServiceAuthentication(InternalCredentials credentials) {
        this.credentials = credentials;
    }

    @Override
    public AuthenticationResponse authenticate(HttpRequest<B> request, AuthenticationRequest<String, String> authentication) {
        if (credentials.matches(authentication.getIdentity(), authentication.getSecret())) {
            return AuthenticationResponse.success(authentication.getIdentity(), List.of(InternalCredentials.ROLE));
        }
        return AuthenticationResponse.failure(AuthenticationFailureReason.CREDENTIALS_DO_NOT_MATCH);
    }
}
