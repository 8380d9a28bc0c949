package dev.eventbank.projection.internalapi;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.eventbank.projection.history.AccountTimeline;
import dev.eventbank.projection.totals.BankTotalsProjection;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.readmodel.BankTotals;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import io.micronaut.serde.annotation.Serdeable;
import org.apache.kafka.common.serialization.Serializer;

import java.util.Base64;
import java.util.List;

/**
 * Version 1 of the projection's internal read API ({@code /internal/v1/...}), the only reader being the query
 * service, which renders the public JSON: compact JSON whose values are the schemas module's Avro records in
 * Confluent's wire format, base64 ({@code BankAccountEvent} as the log holds it, {@code AccountState},
 * {@code BankTotals}), so both services share one typed contract (the schemas) and the history needs no decoding
 * here. Outcomes are typed codes; the public problem texts are the query service's. Not a public contract: a change
 * that is not additive goes to {@code /internal/v2} while v1 is still served.
 */
final class InternalV1 {

    private InternalV1() {
    }

    /**
     * One page of an account's history: {@code events} in version order, {@code next} the first version of the
     * following page (null on the last); {@code accountExists} false, and no events, for an unknown account.
     */
    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Events(boolean accountExists, List<String> events, Long next) {

        static Events of(AccountTimeline.RawPage page) {
            if (page == null) {
                return new Events(false, List.of(), null);
            }
            return new Events(true, page.events().stream().map(Base64.getEncoder()::encodeToString).toList(), page.next());
        }
    }

    /**
     * A time-travel answer: {@code outcome} {@code FOUND} with {@code state}, {@code UNKNOWN_ACCOUNT},
     * {@code BEYOND_CURRENT} with {@code currentVersion}, {@code BEFORE_OPENING} with {@code openedAt} (ISO-8601) or
     * {@code NOT_AT_THAT_POINT}.
     */
    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record State(String outcome, String state, Long currentVersion, String openedAt) {
    }

    /** The bank totals (zero totals before the first event). */
    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Totals(String totals) {
    }

    /** Writes the Avro values, in the subjects of the topics the projection publishes them to (registered already). */
    static final class Encoder {

        private final Serializer<AccountState> states;
        private final Serializer<BankTotals> totals;

        Encoder(SchemaRegistryClient registry) {
            this.states = AvroSerdes.value(AccountState.class, registry).serializer();
            this.totals = AvroSerdes.value(BankTotals.class, registry).serializer();
        }

        State state(AccountTimeline.AsOf asOf) {
            if (asOf instanceof AccountTimeline.AsOf.Found found) {
                return new State("FOUND", encode(states.serialize(Topics.STATE.name(), found.state())), null, null);
            }
            if (asOf instanceof AccountTimeline.AsOf.BeyondCurrent beyond) {
                return new State("BEYOND_CURRENT", null, beyond.currentVersion(), null);
            }
            if (asOf instanceof AccountTimeline.AsOf.UnknownAccount) {
                return new State("UNKNOWN_ACCOUNT", null, null, null);
            }
            if (asOf instanceof AccountTimeline.AsOf.BeforeOpening before) {
                return new State("BEFORE_OPENING", null, null, before.openedAt().toString());
            }
            if (asOf instanceof AccountTimeline.AsOf.NotAtThatPoint) {
                return new State("NOT_AT_THAT_POINT", null, null, null);
            }
            throw new IllegalStateException("unhandled time travel result " + asOf);
        }

        Totals totals(BankTotals current) {
            return new Totals(encode(totals.serialize(BankTotalsProjection.TOPIC, current)));
        }

        private static String encode(byte[] value) {
            return Base64.getEncoder().encodeToString(value);
        }
    }
}
