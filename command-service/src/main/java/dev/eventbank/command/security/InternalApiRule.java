package dev.eventbank.command.security;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.http.HttpRequest;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecuredAnnotationRule;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.security.rules.SecurityRuleResult;
import io.micronaut.web.router.RouteAttributes;
import io.micronaut.web.router.UriRouteInfo;
import jakarta.inject.Singleton;
import org.reactivestreams.Publisher;

/**
 * Who may reach {@value #PREFIX}{@code **}: only another instance of this service, shown by its instance credential
 * ({@link InstanceCredentials}, header {@value InstanceCredentials#HEADER}). Checked before {@code @Secured} and
 * before anything of the request is read past its headers: without the right credential the request is refused
 * (403, {@link InternalApiProblemHandler}), whatever bearer token it carries. With it the rule has no opinion, so
 * {@code @Secured} still checks the original caller's token (customer or teller), whose subject the account rules
 * are then applied to. Other paths: no opinion.
 *
 * <p>A request is internal when its path starts with {@value #PREFIX} or when the route it matched is one under it,
 * so that no spelling of the path that the router maps to an internal route gets past.
 */
@Singleton
final class InternalApiRule implements SecurityRule<HttpRequest<?>> {

    static final String PREFIX = "/internal/";

    private final InstanceCredentials credentials;

    InternalApiRule(InstanceCredentials credentials) {
        this.credentials = credentials;
    }

    @Override
    public Publisher<SecurityRuleResult> check(@Nullable HttpRequest<?> request, @Nullable Authentication authentication) {
        if (request == null || !internal(request)) {
            return Publishers.just(SecurityRuleResult.UNKNOWN);
        }
        InstanceCredentials.Check check = credentials.check(request.getHeaders().get(InstanceCredentials.HEADER));
        return Publishers.just(check == InstanceCredentials.Check.ACCEPTED ? SecurityRuleResult.UNKNOWN
                : SecurityRuleResult.REJECTED);
    }

    @Override
    public int getOrder() {
        return SecuredAnnotationRule.ORDER - 100;
    }

    /** Whether {@code request} is for the internal API, by its path or by the route it matched. */
    static boolean internal(HttpRequest<?> request) {
        if (request.getPath().startsWith(PREFIX)) {
            return true;
        }
        return RouteAttributes.getRouteInfo(request)
                .filter(route -> route instanceof UriRouteInfo<?, ?> uri
                        && uri.getUriMatchTemplate().toString().startsWith(PREFIX))
                .isPresent();
    }
}
