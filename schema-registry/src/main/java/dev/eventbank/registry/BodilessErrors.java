package dev.eventbank.registry;

import dev.eventbank.http.RefusalTexts;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.annotation.Order;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;

/**
 * An error answer that a filter of the framework made without a body gets Confluent's error body
 * ({@code {"error_code":N,"message":"..."}}), like every other error of the registry. Why: Micronaut's CORS filter
 * refuses a request whose {@code Origin} is not localhost to a server reached on localhost (no CORS is configured)
 * with a bare 403, and a client saw an empty body where Confluent's clients expect an error message. The refusal
 * stays; only its body is added. The services do the same in their problem shape (service-support's
 * {@code BodilessErrors}).
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
// first of all filters, so its response part runs last, after any filter that answered by itself (CORS included)
@Order(Integer.MIN_VALUE + 100)
final class BodilessErrors {

    /**
     * @return null to keep {@code response}; else the same status and headers with Confluent's error body, when it is
     *     an error (4xx, 5xx) without a body to a request other than HEAD
     */
    @ResponseFilter
    @Nullable
    HttpResponse<?> addMessage(HttpRequest<?> request, MutableHttpResponse<?> response) {
        if (response.code() < 400 || response.getBody().isPresent() || request.getMethod() == HttpMethod.HEAD) {
            return null;
        }
        String origin = request.getHeaders().get(HttpHeaders.ORIGIN);
        String message = response.code() == HttpStatus.FORBIDDEN.getCode() && origin != null
                ? "Forbidden: " + RefusalTexts.crossOriginRefused(RefusalTexts.printable(origin, 80))
                : response.reason() + (response.code() < 500 ? ": the request was refused" : "");
        MutableHttpResponse<Api.ErrorResponse> withBody = HttpResponse.<Api.ErrorResponse>status(response.code(),
                        response.reason())
                .body(new Api.ErrorResponse(response.code(), message)).contentType(Api.V1_JSON);
        response.getHeaders().forEach((name, values) -> {
            if (!name.equalsIgnoreCase(HttpHeaders.CONTENT_TYPE) && !name.equalsIgnoreCase(HttpHeaders.CONTENT_LENGTH)) {
                values.forEach(value -> withBody.getHeaders().add(name, value));
            }
        });
        return withBody;
    }
}
