package dev.eventbank.support.security;

import dev.eventbank.support.logging.CorrelationIdFilter;
import dev.eventbank.support.problem.ProblemResponses;
import dev.eventbank.support.problem.ProblemTypes;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.security.authentication.AuthorizationException;
import io.micronaut.security.authentication.DefaultAuthorizationExceptionHandler;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Every refusal of micronaut-security as RFC 9457 problem+json, in place of its empty 401/403:
 * <ul>
 *   <li>401 {@link ProblemTypes#UNAUTHORIZED} with {@code WWW-Authenticate: Bearer} (RFC 6750 section 3) when the request
 *       has no valid token; the detail says why ({@link TokenDiagnosis});</li>
 *   <li>403 {@link ProblemTypes#FORBIDDEN} when the token is valid but its roles do not allow the operation.</li>
 * </ul>
 * One log line per refusal (status, method, path, reason; never the token), no stack trace: a client's mistake.
 * The refusal carries the request's {@code X-Correlation-Id} like every other answer (the security filter stops the
 * request before the correlation filter's response step would add it).
 *
 * <p>The issuer and audience in the diagnosis are the ones the service checks
 * ({@code micronaut.security.token.jwt.claims-validators.issuer} and {@code .audience}).
 */
@Singleton
@Produces
@Requires(classes = AuthorizationException.class)
@Replaces(DefaultAuthorizationExceptionHandler.class)
public final class SecurityProblemHandler implements ExceptionHandler<AuthorizationException, MutableHttpResponse<?>> {

    private static final Logger LOG = LoggerFactory.getLogger(SecurityProblemHandler.class);

    private final Optional<String> issuer;
    private final Optional<String> audience;

    public SecurityProblemHandler(
            @Value("${micronaut.security.token.jwt.claims-validators.issuer:}") String issuer,
            @Value("${micronaut.security.token.jwt.claims-validators.audience:}") String audience) {
        this.issuer = Optional.of(issuer).filter(s -> !s.isBlank());
        this.audience = Optional.of(audience).filter(s -> !s.isBlank());
    }

    @Override
    public MutableHttpResponse<?> handle(HttpRequest request, AuthorizationException exception) {
        MutableHttpResponse<?> response = refusal(request, exception);
        return response.header(CorrelationIdFilter.HEADER, correlationId(request));
    }

    /**
     * The request's correlation id: the one the correlation filter gave it, else (a service whose filter runs after
     * the security filter) the one it sent, if valid, else a new one.
     */
    public static String correlationId(HttpRequest<?> request) {
        return CorrelationIdFilter.of(request).orElseGet(() -> {
            String given = request.getHeaders().get(CorrelationIdFilter.HEADER);
            return CorrelationIdFilter.isValid(given) ? given : java.util.UUID.randomUUID().toString();
        });
    }

    private MutableHttpResponse<?> refusal(HttpRequest<?> request, AuthorizationException exception) {
        if (exception.isForbidden()) {
            String roles = exception.getAuthentication() == null || exception.getAuthentication().getRoles().isEmpty()
                    ? "none" : String.join(", ", exception.getAuthentication().getRoles());
            LOG.info("request refused status=403 method={} path={} roles=[{}]", request.getMethodName(),
                    request.getPath(), roles);
            return ProblemResponses.of(HttpStatus.FORBIDDEN, ProblemTypes.FORBIDDEN, "Forbidden",
                    "The token's roles (" + roles + ") do not allow " + request.getMethodName() + " "
                            + request.getPath() + ".", Map.of());
        }
        String detail = TokenDiagnosis.explain(Optional.ofNullable(request.getHeaders().get(HttpHeaders.AUTHORIZATION)),
                issuer, audience, Instant.now());
        LOG.info("request refused status=401 method={} path={} reason=\"{}\"", request.getMethodName(),
                request.getPath(), detail);
        return ProblemResponses.of(HttpStatus.UNAUTHORIZED, ProblemTypes.UNAUTHORIZED, "Unauthorized", detail, Map.of())
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"eventbank\"");
    }
}
