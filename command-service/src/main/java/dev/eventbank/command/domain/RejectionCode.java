package dev.eventbank.command.domain;

/** Why the account refused a command: a business rule, answered to the client as a problem type. */
public enum RejectionCode {
    /** Open on an account id that is open already. */
    ALREADY_OPEN,
    /** Any command but open on an account that was never opened. */
    ACCOUNT_NOT_FOUND,
    /** Any command on a closed account (including open: ids are never reused). */
    ACCOUNT_CLOSED,
    /** A withdrawal larger than the balance. */
    INSUFFICIENT_FUNDS,
    /** Close on an account that still holds money: it must be emptied first. */
    NON_ZERO_BALANCE,
    /** An amount that is not positive (negative for an initial deposit), above the limit, or too precise. */
    INVALID_AMOUNT,
    /** A deposit that would take the balance above {@link Money#MAX_BALANCE}. */
    BALANCE_LIMIT
}
