package dev.eventbank.registry;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;

/** {@code /config}: the global and per-subject compatibility levels. Delegates to {@link SchemaRegistry}. */
// the store blocks (Kafka round trips, bounded waits): never on the Netty event loop
@ExecuteOn(TaskExecutors.BLOCKING)
// reads are open (other teams decode with the registry); writes are marked below
@Secured(SecurityRule.IS_ANONYMOUS)
@Controller("/config")
@Produces({Api.V1_JSON, Api.JSON, MediaType.APPLICATION_JSON})
@Consumes({Api.V1_JSON, Api.JSON, MediaType.APPLICATION_JSON, MediaType.APPLICATION_OCTET_STREAM})
class ConfigController {

    private final SchemaRegistry registry;

    ConfigController(SchemaRegistry registry) {
        this.registry = registry;
    }

    @Get
    Api.ConfigResponse global() {
        return new Api.ConfigResponse(registry.globalCompatibility().name());
    }

    @Secured({RegistryRoles.WRITER, RegistryRoles.OPERATOR})
    @Put
    Api.ConfigUpdate setGlobal(@Body Api.ConfigUpdate update) {
        return new Api.ConfigUpdate(registry.setGlobalCompatibility(update.compatibility()).name());
    }

    @Get("/{subject}")
    Api.ConfigResponse subject(String subject, @Nullable @QueryValue String defaultToGlobal) {
        return new Api.ConfigResponse(registry.subjectCompatibility(subject,
                SchemaRegistry.flag("defaultToGlobal", defaultToGlobal, false)).name());
    }

    @Secured({RegistryRoles.WRITER, RegistryRoles.OPERATOR})
    @Put("/{subject}")
    Api.ConfigUpdate setSubject(String subject, @Body Api.ConfigUpdate update) {
        return new Api.ConfigUpdate(registry.setSubjectCompatibility(subject, update.compatibility()).name());
    }

    @Secured({RegistryRoles.WRITER, RegistryRoles.OPERATOR})
    @Delete("/{subject}")
    Api.ConfigResponse deleteSubject(String subject) {
        return new Api.ConfigResponse(registry.deleteSubjectCompatibility(subject).name());
    }
}
