package dev.eventbank.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The registry's wording of Jackson's messages: about the body, never the parser's source or settings; and of an
 * unhandled exception: never its message.
 */
class ErrorHandlingTest {

    @Test
    void shouldNameNoParserSourceOrFeatureInWhatJacksonRefuses() {
        ObjectMapper mapper = new ObjectMapper();
        for (String body : List.of("{\"schema\":NaN}", "{\"schema\":+1}", "{\"schema\": // c\n\"x\"}", "{\"schema\":", "{x")) {
            JsonProcessingException e = assertThrows(JsonProcessingException.class, () -> mapper.readTree(body), body);
            String stripped = ErrorHandling.withoutJacksonSource(e.getOriginalMessage());
            assertFalse(stripped.contains("Feature") || stripped.contains("Source") || stripped.contains("`")
                    || stripped.isBlank(), body + ": " + stripped);
        }
        assertEquals("Non-standard token 'NaN' (not JSON)", ErrorHandling.withoutJacksonSource(
                "Non-standard token 'NaN': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow"));
    }

    @Test
    void shouldNotTellTheClientAnUnhandledExceptionsMessage() {
        HttpRequest<?> request = HttpRequest.GET("/subjects");
        ErrorContext context = ErrorContext.builder(request)
                .cause(new IllegalStateException("could not load resource for path file:/etc/secret/jwks.json"))
                .errorMessage("Internal Server Error: could not load resource for path file:/etc/secret/jwks.json")
                .build();
        Api.ErrorResponse body = new ErrorHandling.ConfluentErrorResponseProcessor()
                .processResponse(context, HttpResponse.serverError()).body();
        assertEquals(500, body.errorCode());
        assertEquals("Internal Server Error", body.message());
    }
}
