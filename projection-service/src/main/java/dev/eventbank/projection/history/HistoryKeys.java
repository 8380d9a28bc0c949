package dev.eventbank.projection.history;

/**
 * Keys of the history and snapshot stores: {@code <accountId>:<version zero-padded to 19 digits>}. Stores order
 * keys by their UTF-8 bytes, so a range scan from {@code key(id, a)} to {@code key(id, b)} returns one
 * account's entries in version order, and no other account's (':' cannot occur inside a version).
 */
public final class HistoryKeys {

    private HistoryKeys() {
    }

    /**
     * @param version 0 or more
     * @throws IllegalArgumentException for a negative version (it would not sort)
     */
    public static String key(String accountId, long version) {
        if (version < 0) {
            throw new IllegalArgumentException("version must be >= 0, was " + version);
        }
        // built by hand: String.format parses its pattern and looks up the locale's digits on every call, which showed
        // in the rebuild's profile (docs/read-side-performance.md); a key is made for every event
        String digits = Long.toString(version);
        StringBuilder key = new StringBuilder(accountId.length() + 20).append(accountId).append(':');
        for (int i = digits.length(); i < 19; i++) {
            key.append('0');
        }
        return key.append(digits).toString();
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
