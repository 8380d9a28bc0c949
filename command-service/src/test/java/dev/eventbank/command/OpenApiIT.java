package dev.eventbank.command;

import dev.eventbank.support.testing.ServiceUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OpenAPI document and its Swagger UI page as served by the running service (generated at compile time by
 * micronaut-openapi, mapped as static resources), and the problem+json answers that the static mappings must
 * leave alone.
 */
class OpenApiIT {

    private static ServiceUnderTest service;

    @BeforeAll
    static void startService() throws Exception {
        service = ServiceUnderTest.start("openapi-it", java.util.Map.of("schema-registry.url", ServiceUnderTest.sharedRegistryUrl()));
    }

    @AfterAll
    static void stopService() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void shouldListTheCommandRoutesWithHeadersAndProblemsWhenTheSpecIsFetched() throws Exception {
        // when
        HttpResponse<String> spec = service.get("/swagger/command-service-1.0.yml");

        // then
        assertEquals(200, spec.statusCode());
        for (String expected : new String[]{"  /accounts:", "  /accounts/{id}/deposits:", "  /accounts/{id}/withdrawals:",
                "  /accounts/{id}/close:", "name: If-Match", "name: Idempotency-Key",
                "application/problem+json", "\"409\":", "\"422\":", "ETag:", "Location:", "initialDeposit: \"100.00\""}) {
            assertTrue(spec.body().contains(expected), "the spec lacks " + expected);
        }
        // the route instances forward commands on is internal, not part of the public contract
        assertFalse(spec.body().contains("/internal/commands"), "the spec lists the internal forwarding route");
    }

    @Test
    void shouldServeTheSwaggerUiPageWhenItIsOpened() throws Exception {
        // when
        HttpResponse<String> page = service.get("/swagger-ui/index.html");

        // then
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(page.body().contains("command-service-1.0.yml"), "the page does not point at the spec");
    }

    @Test
    void shouldStillAnswer404ProblemWhenARouteIsUnknown() throws Exception {
        // when
        HttpResponse<String> unknown = service.get("/swagger-ui/nope.js");
        HttpResponse<String> unknownRoute = service.get("/nope");

        // then
        for (HttpResponse<String> response : new HttpResponse[]{unknown, unknownRoute}) {
            assertEquals(404, response.statusCode());
            assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
        }
    }
}
