package dev.eventbank.registry;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.server.annotation.PreMatching;
import dev.eventbank.http.RequestHead;

/**
 * The HTTP/1.1 rules Netty and Micronaut let through ({@link RequestHead}: a method name in another case, a missing
 * or repeated {@code Host}, a request target that is not US-ASCII), refused before routing as a 400 in Confluent's
 * error shape ({@code error_code} 400) saying what to change; nothing is run. The services apply the same rules as
 * problem documents (service-support's {@code RequestHeadFilter}).
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
final class RequestHeadFilter {

    /** @return null to go on, or the 400 answer */
    @PreMatching
    @RequestFilter
    @Nullable
    HttpResponse<?> refuseBrokenHead(HttpRequest<?> request) {
        return RequestHead.refusal(request)
                .map(detail -> (HttpResponse<?>) HttpResponse.<Api.ErrorResponse>status(HttpStatus.BAD_REQUEST)
                        .body(new Api.ErrorResponse(400, "Bad Request: " + detail)).contentType(Api.V1_JSON))
                .orElse(null);
    }
}
