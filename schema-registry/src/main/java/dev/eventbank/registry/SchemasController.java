package dev.eventbank.registry;

import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

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
    Api.SchemaResponse schema(int id) {
        return new Api.SchemaResponse(registry.schemaById(id));
    }

    @Get("/ids/{id}/subjects")
    List<String> subjects(int id) {
        return registry.versionsById(id).stream().map(SchemaVersion::subject).distinct().toList();
    }

    @Get("/ids/{id}/versions")
    List<Api.SubjectVersion> versions(int id) {
        return registry.versionsById(id).stream().map(v -> new Api.SubjectVersion(v.subject(), v.version())).toList();
    }

    @Get("/types")
    List<String> types() {
        return List.of("AVRO");
    }
}
