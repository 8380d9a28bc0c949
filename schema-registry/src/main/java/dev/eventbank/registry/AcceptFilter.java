package dev.eventbank.registry;

import dev.eventbank.http.AcceptNegotiation;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpRequest;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.server.annotation.PreMatching;

import java.util.List;

/**
 * Content negotiation by RFC 9110 before Micronaut picks a route, with the types Confluent's registry answers with,
 * its own first ({@link AcceptNegotiation} says what Micronaut gets wrong): {@code Accept: application/*} is answered
 * with {@code application/vnd.schemaregistry.v1+json}, {@code application/json;q=0.9} with {@code application/json},
 * and a header that accepts none of them (at {@code q=0}) is a 406 in Confluent's error shape. The services apply the
 * same rules with their own type and problem shape (service-support's {@code AcceptFilter}).
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
final class AcceptFilter {

    private static final List<String> OFFERED = List.of(Api.V1_JSON, Api.JSON, MediaType.APPLICATION_JSON);

    /** @return null to go on (with {@code Accept} rewritten where it needed it), or the 406 answer */
    @PreMatching
    @RequestFilter
    @Nullable
    HttpResponse<?> negotiate(MutableHttpRequest<?> request) {
        AcceptNegotiation.Outcome outcome = AcceptNegotiation.negotiate(request.getHeaders().getAll(HttpHeaders.ACCEPT),
                OFFERED);
        if (outcome instanceof AcceptNegotiation.Rewritten rewritten) {
            request.getHeaders().set(HttpHeaders.ACCEPT, rewritten.accept());
        } else if (outcome instanceof AcceptNegotiation.Disregarded) {
            request.getHeaders().remove(HttpHeaders.ACCEPT);
        } else if (outcome instanceof AcceptNegotiation.NoneAcceptable) {
            return HttpResponse.status(HttpStatus.NOT_ACCEPTABLE)
                    .body(new Api.ErrorResponse(406, "Accept accepts nothing (q=0 excludes a type): the registry "
                            + "answers with " + String.join(", ", OFFERED)))
                    .contentType(Api.V1_JSON);
        }
        return null;
    }
}
