package dev.eventbank.registry;

import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;

import java.util.Map;

/** {@code GET /} answers {@code {}} like Confluent's, which some clients use as a liveness probe. */
// reads are open (other teams decode with the registry); writes are marked below
@Secured(SecurityRule.IS_ANONYMOUS)
@Controller
@Produces({Api.V1_JSON, Api.JSON, MediaType.APPLICATION_JSON})
class RootController {

    @Get
    Map<String, Object> root() {
        return Map.of();
    }
}
