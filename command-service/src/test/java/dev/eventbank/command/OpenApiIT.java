package dev.eventbank.command;

import dev.eventbank.support.testing.ServiceUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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
        service = ServiceUnderTest.start("openapi-it");
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
    void shouldTypeEveryHeaderParameterAsAStringAndDocument415() throws Exception {
        // given
        List<String> lines = service.get("/swagger/command-service-1.0.yml").body().lines().toList();
        Set<String> headers = new HashSet<>();

        // when: each parameter declared "in: header", and the type of its schema (the lines indented under it)
        for (int i = 1; i < lines.size(); i++) {
            if (!lines.get(i).trim().equals("in: header")) {
                continue;
            }
            String name = lines.get(i - 1).replaceFirst("^\\s*(- )?name: ", "");
            int indent = lines.get(i).indexOf("in:");
            String type = null;
            for (int j = i + 1; j < lines.size() && lines.get(j).indexOf(lines.get(j).trim()) >= indent; j++) {
                if (lines.get(j).indexOf(lines.get(j).trim()) > indent && lines.get(j).trim().startsWith("type: ")) {
                    type = lines.get(j).trim().substring("type: ".length());
                    break;
                }
            }
            // then: a string, not the object micronaut-openapi made of them when declared in annotations
            assertEquals("string", type, name + " is not typed string");
            headers.add(name);
        }
        assertEquals(Set.of("If-Match", "Idempotency-Key", "X-Correlation-Id"), headers);
        assertTrue(lines.contains("    UnsupportedMediaType:"), "no 415 response in the spec");
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
