package dev.eventbank.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.micronaut.serde.annotation.Serdeable;

import java.util.List;

/**
 * The projection service's internal read API, version 1 ({@code /internal/v1/...}), as this service reads it: compact
 * JSON whose values are Avro records in Confluent's wire format (base64), the schemas module's types
 * ({@code BankAccountEvent}, {@code AccountState}, {@code BankTotals}), decoded with the registry. Not a public
 * contract: this service maps it to the public JSON ({@link AccountResponse}, {@link EventResponse},
 * {@link TotalsResponse}) and writes every public problem text itself. The projection service's
 * {@code internalapi.InternalV1} is the other side; a change that is not additive needs {@code /internal/v2}.
 */
final class ProjectionV1 {

    static final String PATH = "internal/v1/";

    private ProjectionV1() {
    }

    /**
     * One page of an account's history: {@code events} in version order, each the event as the log holds it;
     * {@code next} the first version of the following page (null on the last); {@code accountExists} false (and no
     * events) for an account the projection does not know.
     */
    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Events(boolean accountExists, List<String> events, Long next) {
    }

    /**
     * A time-travel answer: {@code outcome} {@link #FOUND} with {@code state} (an {@code AccountState}),
     * {@link #UNKNOWN_ACCOUNT}, {@link #BEYOND_CURRENT} with {@code currentVersion}, {@link #BEFORE_OPENING} with
     * {@code openedAt} (ISO-8601), or {@link #NOT_AT_THAT_POINT}.
     */
    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record State(String outcome, String state, Long currentVersion, String openedAt) {

        static final String FOUND = "FOUND";
        static final String UNKNOWN_ACCOUNT = "UNKNOWN_ACCOUNT";
        static final String BEYOND_CURRENT = "BEYOND_CURRENT";
        static final String BEFORE_OPENING = "BEFORE_OPENING";
        static final String NOT_AT_THAT_POINT = "NOT_AT_THAT_POINT";
    }

    /** The bank totals (a {@code BankTotals}; zero totals before the first event). */
    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Totals(String totals) {
    }
}
