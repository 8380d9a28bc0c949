package dev.eventbank.projection.security;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecuredAnnotationRule;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.security.rules.SecurityRuleResult;
import jakarta.inject.Singleton;
import io.micronaut.core.async.publisher.Publishers;
import org.reactivestreams.Publisher;

/**
 * Who may call {@value #PREFIX}{@code **}: only a request authenticated by the internal HTTP Basic credentials
 * ({@link InternalServiceAuthentication}). Checked before {@code @Secured}: a bearer token is never enough here,
 * whatever roles it claims (an identity provider, or {@code bin/dev-token}, could sign a token with a role named
 * {@code service}), so a user's token is refused (403) and a request without credentials too (401). Other paths:
 * no opinion (the {@code @Secured} rules decide).
 */
@Singleton
final class InternalApiRule implements SecurityRule<HttpRequest<?>> {

    static final String PREFIX = "/internal/";

    @Override
    public Publisher<SecurityRuleResult> check(@Nullable HttpRequest<?> request, @Nullable Authentication authentication) {
        if (request == null || !internal(request)) {
            return Publishers.just(SecurityRuleResult.UNKNOWN);
        }
        boolean basic = request.getHeaders().getAuthorization().map(value -> value.regionMatches(true, 0, "Basic ", 0, 6))
                .orElse(false);
        boolean service = authentication != null && authentication.getRoles().contains(InternalCredentials.ROLE);
        return Publishers.just(basic && service ? SecurityRuleResult.ALLOWED : SecurityRuleResult.REJECTED);
    }

    @Override
    public int getOrder() {
        return SecuredAnnotationRule.ORDER - 100;
    }

    /** Whether {@code request} is for the internal API. */
    static boolean internal(HttpRequest<?> request) {
        return request.getPath().startsWith(PREFIX);
    }
}
