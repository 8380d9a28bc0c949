package dev.eventbank.command.security;

import dev.eventbank.support.logging.CorrelationIdFilter;
import dev.eventbank.support.problem.ProblemResponses;
import dev.eventbank.support.problem.ProblemTypes;
import dev.eventbank.support.security.SecurityProblemHandler;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Value;
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
 * The command service's 401/403 problems: service-support's {@link SecurityProblemHandler} (bearer tokens), except a
 * request to the internal API without the right instance credential ({@link InternalApiRule}): 403
 * {@value ProblemTypes#INSTANCE_CREDENTIAL} whose detail says which header is needed and whether this instance has a
 * password at all. One WARN line per such refusal (method, path, reason; never a credential or token), no stack
 * trace. The forwarding instance recognises the type and answers its client 503 (instances misconfigured).
 */
@Singleton
@Produces
@Replaces(SecurityProblemHandler.class)
final class InternalApiProblemHandler implements ExceptionHandler<AuthorizationException, MutableHttpResponse<?>> {

    private static final Logger LOG = LoggerFactory.getLogger(InternalApiProblemHandler.class);

    private final SecurityProblemHandler tokens;
    private final InstanceCredentials credentials;

    InternalApiProblemHandler(@Value("${micronaut.security.token.jwt.claims-validators.issuer:}") String issuer,
                              @Value("${micronaut.security.token.jwt.claims-validators.audience:}") String audience,
                              InstanceCredentials credentials) {
        this.tokens = new SecurityProblemHandler(issuer, audience);
        this.credentials = credentials;
    }

    @Override
    public MutableHttpResponse<?> handle(HttpRequest request, AuthorizationException exception) {
        if (!InternalApiRule.internal(request)) {
            return tokens.handle(request, exception);
        }
        // the rule refused it for the instance credential, or @Secured for the caller's token: checked again here
        InstanceCredentials.Check check = credentials.check(request.getHeaders().get(InstanceCredentials.HEADER));
        String detail = switch (check) {
            case ACCEPTED -> null;
            case NOT_CONFIGURED -> "The internal API is closed: this command service instance has no "
                    + "eventbank.security.internal.password, so it takes no forwarded command (set the same "
                    + "username and password on every instance).";
            case MISSING -> "The internal API is for other instances of the command service only: a request needs "
                    + "their credential in the " + InstanceCredentials.HEADER + " header (eventbank.security.internal"
                    + ".username/password); a user's bearer token alone is not enough.";
            case WRONG -> "The " + InstanceCredentials.HEADER + " credential does not match this instance's "
                    + "eventbank.security.internal.username/password: every instance needs the same.";
        };
        if (detail == null) {
            return tokens.handle(request, exception);
        }
        LOG.warn("request refused status=403 method={} path={} instanceCredential={} reason=\"{}\"",
                request.getMethodName(), request.getPath(), check, detail);
        return ProblemResponses.of(HttpStatus.FORBIDDEN, ProblemTypes.INSTANCE_CREDENTIAL, "Instance credential refused",
                detail, Map.of()).header(CorrelationIdFilter.HEADER, SecurityProblemHandler.correlationId(request));
    }
}
