package dev.eventbank.registry;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.util.List;

/** {@code /subjects}: register, look up, list and delete the versions of a subject. Delegates to {@link SchemaRegistry}. */
// the store blocks (Kafka round trips, bounded waits): never on the Netty event loop
@ExecuteOn(TaskExecutors.BLOCKING)
// reads are open (other teams decode with the registry); writes are marked below
@Secured(SecurityRule.IS_ANONYMOUS)
@Controller("/subjects")
@Produces({Api.V1_JSON, Api.JSON, MediaType.APPLICATION_JSON})
@Consumes({Api.V1_JSON, Api.JSON, MediaType.APPLICATION_JSON, MediaType.APPLICATION_OCTET_STREAM})
class SubjectsController {

    private final SchemaRegistry registry;

    SubjectsController(SchemaRegistry registry) {
        this.registry = registry;
    }

    @Get
    List<String> subjects(@Nullable @QueryValue String deleted, @Nullable @QueryValue String deletedOnly,
                          @Nullable @QueryValue String subjectPrefix) {
        List<String> subjects = registry.subjects(SchemaRegistry.flag("deleted", deleted, false),
                SchemaRegistry.flag("deletedOnly", deletedOnly, false));
        // Confluent's default, ":*:", is every context's subjects: this registry has the default context only
        return subjectPrefix == null || ":*:".equals(subjectPrefix) ? subjects
                : subjects.stream().filter(subject -> subject.startsWith(subjectPrefix)).toList();
    }

    @Get("/{subject}/versions")
    List<Integer> versions(String subject, @Nullable @QueryValue String deleted, @Nullable @QueryValue String deletedOnly) {
        return registry.versions(subject, SchemaRegistry.flag("deleted", deleted, false),
                SchemaRegistry.flag("deletedOnly", deletedOnly, false));
    }

    @Secured({RegistryRoles.WRITER, RegistryRoles.OPERATOR})
    @Post("/{subject}/versions")
    Api.IdResponse register(String subject, @Body RegisterSchemaRequest request, @Nullable @QueryValue String normalize) {
        SchemaRegistry.requireNormalizeFlag(normalize);
        return new Api.IdResponse(registry.register(subject, request));
    }

    @Post("/{subject}")
    Api.SubjectVersionResponse lookup(String subject, @Body RegisterSchemaRequest request,
                                      @Nullable @QueryValue String deleted, @Nullable @QueryValue String normalize) {
        SchemaRegistry.requireNormalizeFlag(normalize);
        return Api.SubjectVersionResponse.of(registry.lookup(subject, request, SchemaRegistry.flag("deleted", deleted, false)));
    }

    @Get("/{subject}/versions/{version}")
    Api.SubjectVersionResponse version(String subject, String version, @Nullable @QueryValue String deleted) {
        return Api.SubjectVersionResponse.of(registry.version(subject, version, SchemaRegistry.flag("deleted", deleted, false)));
    }

    /** The schema itself, not wrapped in a JSON string. */
    @Get("/{subject}/versions/{version}/schema")
    HttpResponse<String> schema(String subject, String version, @Nullable @QueryValue String deleted) {
        // labelled by the route's @Produces as Accept negotiates it, as every other answer
        return HttpResponse.ok(registry.version(subject, version, SchemaRegistry.flag("deleted", deleted, false)).schema());
    }

    @Secured({RegistryRoles.WRITER, RegistryRoles.OPERATOR})
    @Delete("/{subject}")
    List<Integer> delete(String subject, @Nullable @QueryValue String permanent) {
        return registry.deleteSubject(subject, SchemaRegistry.flag("permanent", permanent, false));
    }

    @Secured({RegistryRoles.WRITER, RegistryRoles.OPERATOR})
    @Delete("/{subject}/versions/{version}")
    int deleteVersion(String subject, String version, @Nullable @QueryValue String permanent) {
        return registry.deleteVersion(subject, version, SchemaRegistry.flag("permanent", permanent, false));
    }
}
