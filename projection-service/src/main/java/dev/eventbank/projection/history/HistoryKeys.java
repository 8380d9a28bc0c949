package dev.eventbank.projection.history;

/**
 * Keys of the history and snapshot stores: {@code <accountId>:<version zero-padded to 19 digits>}. Stores order
 * keys by their UTF-8 bytes, so a range scan from {@code key(id, a)} to {@code key(id, b)} returns one
 * account's entries in version order, and no other account's (':' cannot occur inside a version).
 */
public final class HistoryKeys {

    private HistoryKeys() {
    }

    public static String key(String accountId, long version) {
        return accountId + ':' + String.format("%019d", version);
    }

    public static String first(String accountId) {
        return key(accountId, 0);
    }

    public static String last(String accountId) {
        return key(accountId, Long.MAX_VALUE);
    }

    /** The version a key names (the digits after the last ':'). */
    public static long version(String key) {
        return Long.parseLong(key.substring(key.lastIndexOf(':') + 1));
    }
}
