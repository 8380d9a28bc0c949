package dev.eventbank.registry;

import dev.eventbank.http.RefusalTexts;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;

import java.util.List;

/** {@code /schemas}: schemas by global id, what deserializers call. Delegates to {@link SchemaRegistry}. */
// the store blocks (Kafka round trips, bounded waits): never on the Netty event loop
@ExecuteOn(TaskExecutors.BLOCKING)
// reads are open (other teams decode with the registry); writes are marked below
@Secured(SecurityRule.IS_ANONYMOUS)
@Controller("/schemas")
@Produces({Api.V1_JSON, Api.JSON, MediaType.APPLICATION_JSON})
class SchemasController {

    private final SchemaRegistry registry;

    SchemasController(SchemaRegistry registry) {
        this.registry = registry;
    }

    @Get("/ids/{id}")
    Api.SchemaResponse schema(String id) {
        return new Api.SchemaResponse(registry.schemaById(schemaId(id)));
    }

    /** The schema itself, not wrapped in a JSON string (Confluent's {@code /schemas/ids/{id}/schema}). */
    @Get("/ids/{id}/schema")
    HttpResponse<String> bareSchema(String id) {
        // labelled by the route's @Produces as Accept negotiates it, as every other answer
        return HttpResponse.ok(registry.schemaById(schemaId(id)));
    }

    @Get("/ids/{id}/subjects")
    List<String> subjects(String id, @Nullable @QueryValue String deleted) {
        return registry.versionsById(schemaId(id), SchemaRegistry.flag("deleted", deleted, false)).stream()
                .map(SchemaVersion::subject).distinct().toList();
    }

    @Get("/ids/{id}/versions")
    List<Api.SubjectVersion> versions(String id, @Nullable @QueryValue String deleted) {
        return registry.versionsById(schemaId(id), SchemaRegistry.flag("deleted", deleted, false)).stream()
                .map(v -> new Api.SubjectVersion(v.subject(), v.version())).toList();
    }

    @Get("/types")
    List<String> types() {
        return List.of("AVRO");
    }

    /**
     * A schema id from the path: a whole number that fits an int (Confluent's ids); anything else names no schema, a
     * 404 with Confluent's 40403 saying what ids look like (Micronaut's own answer was a 400 "Failed to convert
     * argument [id] ... For input string", and Confluent's REST layer answers a path that does not convert with 404).
     */
    static int schemaId(String id) {
        try {
            return Integer.parseInt(id);
        } catch (NumberFormatException e) {
            throw new RegistryException(404, 40403, "Schema not found: schema ids are whole numbers from 1 to "
                    + Integer.MAX_VALUE + ", got '" + RefusalTexts.printable(id, 40) + "'");
        }
    }
}
