package dev.eventbank.bench.peer;

/**
 * A command the account refuses (a business rule: insufficient funds, a wrong amount or currency): the REST layer
 * answers 422 for it, and the unit of work rolls back, so nothing is appended.
 */
final class AccountRejected extends RuntimeException {

    private final String code;

    AccountRejected(String code, String detail) {
        super(detail, null, false, false);
        this.code = code;
    }

    String code() {
        return code;
    }
}
