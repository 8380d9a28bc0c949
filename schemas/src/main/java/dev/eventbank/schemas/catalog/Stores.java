package dev.eventbank.schemas.catalog;

/** State store names, in one place so that services, tests and docs agree on them. */
public final class Stores {

    /** Write model per account, owned by the command processor; its changelog is the write-side snapshot. */
    public static final String ACCOUNT_AGGREGATE = "account-aggregate-store";

    /** Latest read model per account, built by the projection service. */
    public static final String ACCOUNT_STATE = "account-state-store";

    /** The query service's copy of bank-account-state, the store it answers reads from. */
    public static final String ACCOUNT_VIEW = "account-view-store";

    private Stores() {
    }
}
