package dev.eventbank.registry;

import dev.eventbank.http.RequestHead;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.annotation.Order;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.server.annotation.PreMatching;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/1.1 rules Netty and Micronaut let through ({@link RequestHead}: the method's case, the version, the
 * {@code Host}, a request target's characters and percent-encoding), refused before routing as a 400 in Confluent's
 * error shape ({@code error_code} 400) saying what to change; nothing is run. The services apply the same rules as
 * problem documents (service-support's {@code RequestHeadFilter}).
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
// before the other pre-matching filters (the Accept negotiation: 0): a broken request head is the first thing to say
@Order(-2000)
final class RequestHeadFilter {

    private static final Logger LOG = LoggerFactory.getLogger(RequestHeadFilter.class);

    /** @return null to go on, or the 400 answer (and one log line: no later filter, metrics included, sees it) */
    @PreMatching
    @RequestFilter
    @Nullable
    HttpResponse<?> refuseBrokenHead(HttpRequest<?> request) {
        return RequestHead.refusal(request).map(detail -> {
            LOG.info("request refused before routing status=400 reason=\"{}\"", detail);
            return (HttpResponse<?>) HttpResponse.<Api.ErrorResponse>status(HttpStatus.BAD_REQUEST)
                    .body(new Api.ErrorResponse(400, "Bad Request: " + detail)).contentType(Api.V1_JSON);
        }).orElse(null);
    }
}
