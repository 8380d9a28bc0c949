package dev.eventbank.registry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.http.BasicHttpAttributes;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;

/**
 * Counts the registry's API requests as {@value #REQUESTS}, tagged {@code endpoint} (the route template, such as
 * {@code /subjects/{subject}/versions}, or {@code unmatched} for paths no route serves, so that the number of
 * series stays bounded), {@code method} and {@code status} (the HTTP code, errors included). The management
 * endpoints ({@code /health}, {@code /prometheus}) are left out. Micronaut's own {@code http.server.requests}
 * timer is exported too and adds latencies.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
final class RegistryRequestsFilter {

    static final String REQUESTS = "eventbank.registry.requests";

    private final MeterRegistry registry;

    RegistryRequestsFilter(MeterRegistry registry) {
        this.registry = registry;
    }

    @ResponseFilter
    void count(HttpRequest<?> request, MutableHttpResponse<?> response) {
        String path = request.getPath();
        if (path.startsWith("/health") || path.startsWith("/prometheus")) {
            return;
        }
        Counter.builder(REQUESTS)
                .description("schema registry API requests by endpoint, method and status")
                .tag("endpoint", BasicHttpAttributes.getUriTemplate(request).orElse("unmatched"))
                .tag("method", request.getMethodName())
                .tag("status", String.valueOf(response.code()))
                .register(registry)
                .increment();
    }
}
