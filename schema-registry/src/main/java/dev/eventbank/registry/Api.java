package dev.eventbank.registry;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

/**
 * The JSON shapes of Confluent's REST API that this registry answers with, field names as Confluent spells them.
 */
final class Api {

    /** Confluent's content type; also accepted: {@code application/vnd.schemaregistry+json}, {@code application/json}. */
    static final String V1_JSON = "application/vnd.schemaregistry.v1+json";
    static final String JSON = "application/vnd.schemaregistry+json";

    private Api() {
    }

    /** {@code {"id":1}} */
    record IdResponse(int id) {
    }

    /** {@code {"schema":"..."}} */
    record SchemaResponse(String schema) {
    }

    /** {@code {"subject":"s","version":1,"id":1,"schema":"..."}} */
    @JsonPropertyOrder({"subject", "version", "id", "schema"})
    record SubjectVersionResponse(String subject, int version, int id, String schema) {

        static SubjectVersionResponse of(SchemaVersion version) {
            return new SubjectVersionResponse(version.subject(), version.version(), version.id(), version.schema());
        }
    }

    /** {@code {"subject":"s","version":1}} */
    record SubjectVersion(String subject, int version) {
    }

    /** {@code GET /config}: {@code {"compatibilityLevel":"BACKWARD"}} */
    record ConfigResponse(String compatibilityLevel) {
    }

    /** {@code PUT /config} body and answer: {@code {"compatibility":"FULL"}} */
    record ConfigUpdate(String compatibility) {
    }

    /** {@code {"is_compatible":true}}, with {@code "messages"} when verbose */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record CompatibilityResponse(@JsonProperty("is_compatible") boolean isCompatible, List<String> messages) {
    }

    /** Every error: {@code {"error_code":40401,"message":"..."}} */
    record ErrorResponse(@JsonProperty("error_code") int errorCode, String message) {
    }
}
