package dev.eventbank.command.rest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Ids and fingerprints of commands. With an {@code Idempotency-Key}, ids are derived from it (name-based UUIDs),
 * so a retry of a request becomes the very same command: the command id from account id + key, and for
 * {@code POST /accounts} the account id from the key too, so that a retried open addresses the same account.
 * Without a key, ids are random. Keys are therefore scoped per account.
 */
final class CommandIds {

    private CommandIds() {
    }

    static String newAccountId(String idempotencyKey) {
        return idempotencyKey == null ? UUID.randomUUID().toString()
                : UUID.nameUUIDFromBytes(("account:" + idempotencyKey).getBytes(StandardCharsets.UTF_8)).toString();
    }

    static String commandId(String accountId, String idempotencyKey) {
        return idempotencyKey == null ? UUID.randomUUID().toString()
                : UUID.nameUUIDFromBytes(("command:" + accountId + ":" + idempotencyKey).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** A readable account number derived from the account id, for opens that do not bring one. */
    static String accountNumber(String accountId) {
        return "EVBK" + accountId.replace("-", "").substring(0, 12).toUpperCase(Locale.ROOT);
    }

    /**
     * SHA-256 over the command type and the request's fields (each length-prefixed, so no two different requests
     * share an encoding); amounts in canonical form, so {@code "5"} and {@code 5.00} are the same request.
     */
    static String fingerprint(String type, List<String> fields) {
        StringBuilder canonical = new StringBuilder(type);
        for (String field : fields) {
            canonical.append('|');
            if (field == null) {
                canonical.append('-');
            } else {
                canonical.append(field.length()).append(':').append(field);
            }
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
