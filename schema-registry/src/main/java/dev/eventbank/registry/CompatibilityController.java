package dev.eventbank.registry;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.http.annotation.QueryValue;

import java.util.List;

/** {@code /compatibility}: would this schema be accepted? Delegates to {@link SchemaRegistry}. */
// the store blocks (Kafka round trips, bounded waits): never on the Netty event loop
@ExecuteOn(TaskExecutors.BLOCKING)
// reads are open (other teams decode with the registry); writes are marked below
@Secured(SecurityRule.IS_ANONYMOUS)
@Controller("/compatibility/subjects/{subject}")
@Produces({Api.V1_JSON, Api.JSON, MediaType.APPLICATION_JSON})
@Consumes({Api.V1_JSON, Api.JSON, MediaType.APPLICATION_JSON, MediaType.APPLICATION_OCTET_STREAM})
class CompatibilityController {

    private final SchemaRegistry registry;

    CompatibilityController(SchemaRegistry registry) {
        this.registry = registry;
    }

    @Post("/versions/{version}")
    Api.CompatibilityResponse againstVersion(String subject, String version, @Body RegisterSchemaRequest request,
                                             @Nullable @QueryValue String verbose, @Nullable @QueryValue String normalize) {
        SchemaRegistry.requireNormalizeFlag(normalize);
        boolean messages = SchemaRegistry.flag("verbose", verbose, false);
        return answer(registry.testCompatibility(subject, version, request, messages), messages);
    }

    @Post("/versions")
    Api.CompatibilityResponse againstAll(String subject, @Body RegisterSchemaRequest request,
                                         @Nullable @QueryValue String verbose, @Nullable @QueryValue String normalize) {
        SchemaRegistry.requireNormalizeFlag(normalize);
        boolean messages = SchemaRegistry.flag("verbose", verbose, false);
        return answer(registry.testCompatibility(subject, null, request, messages), messages);
    }

    private static Api.CompatibilityResponse answer(List<String> reasons, boolean verbose) {
        return new Api.CompatibilityResponse(reasons.isEmpty(), verbose ? reasons : null);
    }
}
