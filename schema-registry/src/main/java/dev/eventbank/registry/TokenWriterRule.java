package dev.eventbank.registry;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.http.HttpRequest;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecuredAnnotationRule;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.security.rules.SecurityRuleResult;
import jakarta.inject.Singleton;
import org.reactivestreams.Publisher;

/**
 * The role {@link RegistryRoles#WRITER} is the configured Basic users' ({@link RegistryUser}), never a bearer token's:
 * a token of the trusted issuer that claims it (without {@link RegistryRoles#OPERATOR}) is refused (403) on every
 * route, before {@code @Secured} would let it register or delete schemas. The identity provider is trusted for
 * people's roles (operator), not to name the services that may write; a provider with a role called "writer" for
 * some other purpose, or a mistyped mapping, must not open the registry (found by trying such a token: it registered
 * a schema). Other requests: no opinion.
 */
@Singleton
final class TokenWriterRule implements SecurityRule<HttpRequest<?>> {

    @Override
    public Publisher<SecurityRuleResult> check(@Nullable HttpRequest<?> request, @Nullable Authentication authentication) {
        if (request == null || authentication == null) {
            return Publishers.just(SecurityRuleResult.UNKNOWN);
        }
        boolean bearer = request.getHeaders().getAuthorization()
                .map(value -> value.regionMatches(true, 0, "Bearer ", 0, 7)).orElse(false);
        boolean claimsWriter = authentication.getRoles().contains(RegistryRoles.WRITER)
                && !authentication.getRoles().contains(RegistryRoles.OPERATOR);
        return Publishers.just(bearer && claimsWriter ? SecurityRuleResult.REJECTED : SecurityRuleResult.UNKNOWN);
    }

    @Override
    public int getOrder() {
        return SecuredAnnotationRule.ORDER - 100;
    }
}
