package dev.eventbank.projection.security;

import dev.eventbank.support.logging.CorrelationIdFilter;
import dev.eventbank.support.problem.ProblemResponses;
import dev.eventbank.support.problem.ProblemTypes;
import dev.eventbank.support.security.SecurityProblemHandler;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Value;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.security.authentication.AuthorizationException;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * The projection's 401/403 problems: service-support's {@link SecurityProblemHandler} (bearer tokens: the rebuild
 * API), except a 401 of the internal API, which takes HTTP Basic credentials, not tokens: its detail says so (and
 * whether this instance has a password configured at all), with {@code WWW-Authenticate: Basic}. One log line per
 * refusal, never the credentials.
 */
@Singleton
@Produces
@Replaces(SecurityProblemHandler.class)
final class InternalApiProblemHandler implements ExceptionHandler<AuthorizationException, MutableHttpResponse<?>> {

    private static final Logger LOG = LoggerFactory.getLogger(InternalApiProblemHandler.class);

    private final SecurityProblemHandler tokens;
    private final InternalCredentials credentials;

    InternalApiProblemHandler(@Value("${micronaut.security.token.jwt.claims-validators.issuer:}") String issuer,
                              @Value("${micronaut.security.token.jwt.claims-validators.audience:}") String audience,
                              InternalCredentials credentials) {
        this.tokens = new SecurityProblemHandler(issuer, audience);
        this.credentials = credentials;
    }

    @Override
    public MutableHttpResponse<?> handle(HttpRequest request, AuthorizationException exception) {
        if (exception.isForbidden() || !InternalApiRule.internal(request)) {
            return tokens.handle(request, exception);
        }
        String detail = credentials.configured()
                ? "The internal API takes the query service's HTTP Basic credentials (eventbank.security.internal"
                        + ".username/password), not bearer tokens; none or wrong ones were sent."
                : "The internal API is closed: this projection service has no eventbank.security.internal.password.";
        LOG.info("request refused status=401 method={} path={} reason=\"{}\"", request.getMethodName(), request.getPath(),
                detail);
        MutableHttpResponse<?> response = ProblemResponses.of(HttpStatus.UNAUTHORIZED, ProblemTypes.UNAUTHORIZED,
                "Unauthorized", detail, Map.of()).header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"eventbank-internal\"");
        return response.header(CorrelationIdFilter.HEADER, SecurityProblemHandler.correlationId(request));
    }
}
