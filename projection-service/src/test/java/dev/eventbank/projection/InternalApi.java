package dev.eventbank.projection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.readmodel.BankTotals;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Reads the projection's internal API ({@code /internal/v1}) in tests as the query service does: the JSON envelope,
 * and its values (the schemas' Avro records in wire format, base64) decoded with the registry.
 */
public final class InternalApi {

    /** The API's path prefix. */
    public static final String V1 = "/internal/v1";

    private static final ObjectMapper JSON = new ObjectMapper();

    private InternalApi() {
    }

    /** One page of history; {@code accountExists} false for an unknown account. */
    public record EventsPage(boolean accountExists, List<BankAccountEvent> events, Long next) {

        public List<Long> versions() {
            return events.stream().map(BankAccountEvent::getVersion).toList();
        }
    }

    /** A time-travel answer: {@code outcome} and, for FOUND, the state. */
    public record StateAnswer(String outcome, AccountState state, Long currentVersion, String openedAt) {
    }

    public static EventsPage events(HttpResponse<String> response, SchemaRegistryClient registry) {
        JsonNode json = read(response);
        var deserializer = AvroSerdes.value(BankAccountEvent.class, registry).deserializer();
        List<BankAccountEvent> events = new ArrayList<>();
        json.path("events").forEach(value -> events.add(deserializer.deserialize(Topics.EVENTS.name(),
                Base64.getDecoder().decode(value.asText()))));
        return new EventsPage(json.path("accountExists").asBoolean(), events,
                json.path("next").isNull() ? null : json.path("next").asLong());
    }

    public static StateAnswer state(HttpResponse<String> response, SchemaRegistryClient registry) {
        JsonNode json = read(response);
        AccountState state = json.path("state").isTextual() ? AvroSerdes.value(AccountState.class, registry).deserializer()
                .deserialize(Topics.STATE.name(), Base64.getDecoder().decode(json.path("state").asText())) : null;
        return new StateAnswer(json.path("outcome").asText(), state,
                json.path("currentVersion").isNull() ? null : json.path("currentVersion").asLong(),
                json.path("openedAt").isNull() ? null : json.path("openedAt").asText());
    }

    public static BankTotals totals(HttpResponse<String> response, SchemaRegistryClient registry) {
        return AvroSerdes.value(BankTotals.class, registry).deserializer().deserialize("bank-totals",
                Base64.getDecoder().decode(read(response).path("totals").asText()));
    }

    private static JsonNode read(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new AssertionError("expected 200 from " + response.uri() + ", got " + response.statusCode() + " "
                    + response.body());
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
