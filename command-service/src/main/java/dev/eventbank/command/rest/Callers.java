package dev.eventbank.command.rest;

import dev.eventbank.command.access.Caller;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.security.authentication.Authentication;

import java.util.Set;

/**
 * The {@link Caller} of a request that micronaut-security has authenticated: the token's subject and roles, and
 * the request's own {@code Authorization} header, which goes with the command when it is forwarded to the owner of
 * its partition (who checks it again).
 */
final class Callers {

    private Callers() {
    }

    static Caller of(HttpRequest<?> request, Authentication authentication) {
        return new Caller(authentication.getName(), Set.copyOf(authentication.getRoles()),
                request.getHeaders().get(HttpHeaders.AUTHORIZATION));
    }
}
