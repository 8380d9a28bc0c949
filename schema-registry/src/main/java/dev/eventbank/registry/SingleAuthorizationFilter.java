package dev.eventbank.registry;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.annotation.Order;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;

/**
 * A request may carry one {@code Authorization} header: two or more are a 400 in Confluent's error shape
 * ({@code error_code} 400), before the security filter reads any. Micronaut Security reads the first one only, so
 * which user a write ran as would depend on the order of its headers. The services' rule is service-support's
 * {@code SingleAuthorizationFilter} (problem+json); the registry answers in Confluent's shape instead
 * ({@link ErrorHandling}) and does not depend on service-support.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
// before the security filter (ServerFilterPhase.SECURITY, 39000)
@Order(-900)
final class SingleAuthorizationFilter {

    /** @return null to go on, or the 400 answer when the request has more than one {@code Authorization} header */
    @RequestFilter
    @Nullable
    HttpResponse<?> refuseMoreThanOne(HttpRequest<?> request) {
        int given = request.getHeaders().getAll(HttpHeaders.AUTHORIZATION).size();
        if (given <= 1) {
            return null;
        }
        return HttpResponse.status(HttpStatus.BAD_REQUEST)
                .body(new Api.ErrorResponse(400, "Authorization must be given once, got it on " + given
                        + " lines: send one credential"))
                .contentType(Api.V1_JSON);
    }
}
