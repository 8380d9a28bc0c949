package dev.eventbank.projection;

/**
 * Names of the read-side stores and topics this service adds on top of {@code catalog.Stores}/{@code catalog.Topics}
 * (which belong to the shared schemas module). Limits: kept here until they move to the shared catalogue.
 */
public final class ReadSideNames {

    /** Per-account event history: key {@code <accountId>:<19-digit version>}, value the event's wire bytes. */
    public static final String ACCOUNT_HISTORY_STORE = "account-history-store";

    /** Every snapshot taken, per account and version (the compacted topic keeps only the latest per account). */
    public static final String ACCOUNT_SNAPSHOT_STORE = "account-snapshot-store";

    /** The bank-wide totals, one entry under {@link #BANK_TOTALS_KEY}. */
    public static final String BANK_TOTALS_STORE = "bank-totals-store";

    /** Compacted topic with the latest {@code BankTotals} under key {@link #BANK_TOTALS_KEY}. */
    public static final String BANK_TOTALS_TOPIC = "bank-totals";

    public static final String BANK_TOTALS_KEY = "bank";

    private ReadSideNames() {
    }
}
