package dev.eventbank.query;

import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.schemas.readmodel.BankTotals;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * History, time travel and bank totals, read from the projection service's internal API ({@link ProjectionV1}) and
 * decoded into the schemas module's types; the answers this service gives for what is not there are written here,
 * as 404 problems with their public texts. Account ids and parameters arrive checked ({@link AccountsController}).
 *
 * <p>Events are decoded with the upcasting deserializer, so a version 1 event reads as the current version.
 * Limits: decoding a value whose schema id is new to this service asks the registry once (cached after).
 */
final class ProjectionReads {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectionReads.class);

    /** The subject of the bank totals' topic (TopicNameStrategy), only for the deserializer's bookkeeping. */
    private static final String TOTALS_TOPIC = "bank-totals";

    /** How much longer than its wait a read-your-writes request may take (the way to the projection and back). */

    private final ProjectionClient projection;
    private final Deserializer<BankAccountEvent> events;
    private final Deserializer<AccountState> states;
    private final Deserializer<BankTotals> totals;

    ProjectionReads(ProjectionClient projection, SchemaRegistryClient registry) {
        this.projection = projection;
        this.events = AvroSerdes.value(BankAccountEvent.class, registry).deserializer();
        this.states = AvroSerdes.value(AccountState.class, registry).deserializer();
        this.totals = AvroSerdes.value(BankTotals.class, registry).deserializer();
    }

    /** One page of the account's events from {@code fromVersion}, at most {@code limit}; a 404 problem if unknown. */
    CompletableFuture<EventResponse.Page> events(String accountId, long fromVersion, long limit) {
        return projection.get(ProjectionV1.PATH + "accounts/" + encode(accountId) + "/events?fromVersion=" + fromVersion
                + "&limit=" + limit, ProjectionV1.Events.class).thenApply(page -> {
            if (!page.accountExists()) {
                throw QueryProblem.accountNotFound("no account with id " + accountId);
            }
            return readable(() -> EventResponse.Page.of(page.events().stream()
                    .map(value -> events.deserialize(Topics.EVENTS.name(), Base64.getDecoder().decode(value))).toList(),
                    page.next()));
        });
    }

    /** The state right after {@code version}; a 404 problem (with {@code currentVersion} when it is later) if none. */
    CompletableFuture<AccountState> asOfVersion(String accountId, long version) {
        return state(accountId, "asOfVersion=" + version, "version " + version);
    }

    /** The state after the last event at or before {@code instant}; a 404 problem if the account did not exist then. */
    CompletableFuture<AccountState> asOf(String accountId, Instant instant) {
        // encoded: an instant past year 9999 is written with a sign, +10000-01-01T00:00:00Z, and a bare + in a query
        // is a space
        return state(accountId, "asOf=" + encode(instant.toString()), instant.toString());
    }

    /** The bank totals. */
    CompletableFuture<TotalsResponse> totals() {
        return projection.get(ProjectionV1.PATH + "bank/totals", ProjectionV1.Totals.class)
                .thenApply(answer -> readable(() -> TotalsResponse.of(
                        totals.deserialize(TOTALS_TOPIC, Base64.getDecoder().decode(answer.totals())))));
    }

    private CompletableFuture<AccountState> state(String accountId, String query, String point) {
        return projection.get(ProjectionV1.PATH + "accounts/" + encode(accountId) + "/state?" + query,
                ProjectionV1.State.class).thenApply(answer -> switch (String.valueOf(answer.outcome())) {
                    case ProjectionV1.State.FOUND -> readable(() -> states.deserialize(Topics.STATE.name(),
                            Base64.getDecoder().decode(answer.state())));
                    case ProjectionV1.State.UNKNOWN_ACCOUNT -> throw QueryProblem.accountNotFound("no account with id " + accountId);
                    // an outcome without the member it names is an answer this service cannot read: a 503, not
                    // a NullPointerException's 500 or an "opened at null"
                    case ProjectionV1.State.BEYOND_CURRENT -> throw answer.currentVersion() == null ? unreadable(null)
                            : QueryProblem.accountNotFound("account " + accountId + " has no " + point
                                    + " yet: its current version is " + answer.currentVersion(),
                                    Map.of("currentVersion", answer.currentVersion()));
                    case ProjectionV1.State.BEFORE_OPENING -> throw answer.openedAt() == null ? unreadable(null)
                            : QueryProblem.accountNotFound("account " + accountId + " was opened at " + answer.openedAt()
                                    + ", after " + point);
                    case ProjectionV1.State.NOT_AT_THAT_POINT -> throw QueryProblem.accountNotFound("account " + accountId
                            + " did not exist at that point");
                    default -> throw unreadable(null);
                });
    }

    /**
     * {@code decode}'s result; an answer that does not decode (missing values, not our wire format: a projection of
     * another version, or not a projection at all) is the 503 of an unavailable projection, never a 500.
     */
    private static <T> T readable(Supplier<T> decode) {
        T value;
        try {
            value = decode.get();
        } catch (RuntimeException e) {
            throw unreadable(e);
        }
        if (value == null) {
            throw unreadable(null);
        }
        return value;
    }

    private static QueryProblem unreadable(RuntimeException cause) {
        LOG.warn("projection answer unreadable error=\"{}\"", cause == null ? "unknown outcome or no value" : cause.toString());
        return QueryProblem.retryLater("Projection unavailable", "the projection service gave an answer this service "
                + "cannot read; retry in a moment", Map.of());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
