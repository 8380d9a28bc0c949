package dev.eventbank.registry;

import dev.eventbank.http.RequestBodies;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.annotation.Order;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;

import java.util.List;

/**
 * The request headers that may appear once ({@code Authorization}, {@code Content-Type}): two or more lines of one
 * are a 400 in Confluent's error shape ({@code error_code} 400), before anything reads them. Micronaut reads the first
 * line only, so which user a write ran as, or how its body was read, would depend on the order of its headers. And a
 * {@code Content-Encoding} Micronaut did not decode (it decodes gzip and deflate and takes the header off) is a 415:
 * {@code br} on a plain body was read as plain. The services' rule is service-support's {@code SingleValuedHeaders}
 * (problem+json); the registry answers in Confluent's shape instead ({@link ErrorHandling}) and does not depend on
 * service-support.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
// before the security filter (ServerFilterPhase.SECURITY, 39000)
@Order(-900)
final class SingleValuedHeaders {

    private static final List<String> NAMES = List.of(HttpHeaders.AUTHORIZATION, HttpHeaders.CONTENT_TYPE);

    /** @return null to go on, the 400 naming the first header the request has on several lines, or the 415 */
    @RequestFilter
    @Nullable
    HttpResponse<?> refuseRepeatedOrUndecoded(HttpRequest<?> request) {
        for (String name : NAMES) {
            int given = request.getHeaders().getAll(name).size();
            if (given > 1) {
                return HttpResponse.status(HttpStatus.BAD_REQUEST)
                        .body(new Api.ErrorResponse(400, name + " must be given once, got it on " + given
                                + " lines: send one"))
                        .contentType(Api.V1_JSON);
            }
        }
        List<String> codings = request.getHeaders().getAll(HttpHeaders.CONTENT_ENCODING);
        if (RequestBodies.hasBody(request) && codings.stream().anyMatch(coding -> !coding.strip().equalsIgnoreCase("identity"))) {
            return HttpResponse.status(HttpStatus.UNSUPPORTED_MEDIA_TYPE)
                    .header(HttpHeaders.ACCEPT_ENCODING, "gzip, deflate")
                    .body(new Api.ErrorResponse(415, "Content-Encoding is not one this registry decodes: send the "
                            + "body as gzip, deflate or unencoded"))
                    .contentType(Api.V1_JSON);
        }
        return null;
    }
}
