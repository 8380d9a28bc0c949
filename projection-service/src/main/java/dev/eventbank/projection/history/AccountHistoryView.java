package dev.eventbank.projection.history;

import dev.eventbank.schemas.events.BankAccountEvent;

/**
 * The account history read model's evolve function: an account's history is its applied events in version order,
 * so folding one more event adds one entry, under {@link HistoryKeys#key}{@code (account, version)}, holding the
 * event's original wire bytes (decoded, and upcast, only when read). Pure: no Kafka, no framework.
 *
 * <p>It never decides anything: the account state fold already applied the event (a re-delivery or a rejected
 * event never gets here), so the history holds exactly the events the state reflects and always folds back to it.
 */
public final class AccountHistoryView {

    private AccountHistoryView() {
    }

    /** One entry of the history store. */
    public record Entry(String key, byte[] wire) {
    }

    /** The entry that {@code event} (applied, with its wire bytes {@code wire}) adds to its account's history. */
    public static Entry evolve(BankAccountEvent event, byte[] wire) {
        return new Entry(HistoryKeys.key(event.getAggregateId(), event.getVersion()), wire);
    }
}
