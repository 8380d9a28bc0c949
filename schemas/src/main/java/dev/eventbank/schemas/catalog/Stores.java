package dev.eventbank.schemas.catalog;

/** State store names, in one place so that services, tests and docs agree on them. */
public final class Stores {

    /** Latest read model per account, built by the projection service. */
    public static final String ACCOUNT_STATE = "account-state-store";

    /** The query service's copy of bank-account-state, the store it answers reads from. */
    public static final String ACCOUNT_VIEW = "account-view-store";

    private Stores() {
    }
}
