package dev.eventbank.query;

import dev.eventbank.http.ServiceLauncher;

/**
 * Starts the query service: REST reads of bank accounts on port 8082. Design choice: it materializes the
 * projection's compacted {@code bank-account-state} topic into its own Kafka Streams global store
 * ({@link AccountViewTopology}), so every instance answers every account without routing; the limit is that
 * every instance holds all accounts. Never a side database. History ({@code /accounts/{id}/events}), time travel
 * ({@code asOfVersion}/{@code asOf}) and {@code /bank/totals} are read from the projection service's internal API
 * ({@link ProjectionReads}), where those stores and the one fold function live, and rendered here like every public
 * read; they need it running.
 */
public final class Application {

    private Application() {
    }

    public static void main(String[] args) {
        ServiceLauncher.run(Application.class, args);
    }
}
