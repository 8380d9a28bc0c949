package dev.eventbank.command.access;

import dev.eventbank.schemas.commands.AccountAggregate;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;

/**
 * The per-account rules of the command side (docs: command-service/README.md, Security), decided where the
 * account's aggregate is: by the single writer of its partition, for every command, also one forwarded by another
 * instance (whose token the owner has checked again).
 * <ul>
 *   <li>a teller may send any command on any account, and open accounts for any customer (or none);</li>
 *   <li>a customer may open accounts owned by itself only ({@code ownerId} = its subject), at an account id derived
 *       from its subject ({@link #customerAccountId}), and move or close only accounts whose {@code ownerId} is its
 *       subject: any other account is answered exactly as one that does not exist (no existence leak);</li>
 *   <li>anyone else may do nothing (the REST layer has answered 403 before; this is the second line).</li>
 * </ul>
 * Pure: no framework, no I/O.
 */
public final class AccountAccess {

    private AccountAccess() {
    }

    /**
     * True when {@code caller} may send a deposit, withdrawal or close to the account of {@code aggregate}.
     *
     * @param aggregate the account's aggregate, null when it does not exist (then only a teller is "allowed", to be
     *                  told 404 as before)
     */
    public static boolean mayUse(Caller caller, AccountAggregate aggregate) {
        if (caller.isTeller()) {
            return true;
        }
        return caller.isCustomerOnly() && aggregate != null && aggregate.getOwnerId() != null
                && aggregate.getOwnerId().equals(caller.subject());
    }

    /**
     * True when {@code caller} may open the account {@code accountId} owned by {@code ownerId}: a teller always; a
     * customer only for itself and at the account id its own request derives ({@link #customerAccountId}), so that
     * no customer can address an existing account of someone else with an open, even through
     * {@code /internal/commands}.
     *
     * @param ownerId        the open's owner id, null for none
     * @param idempotencyKey the open's key, null when none
     * @param commandId      the open's command id (what an open without a key derives its account id from)
     */
    public static boolean mayOpen(Caller caller, String accountId, String ownerId, String idempotencyKey,
                                  String commandId) {
        if (caller.isTeller()) {
            return true;
        }
        return caller.isCustomerOnly() && caller.subject().equals(ownerId)
                && accountId.equals(customerAccountId(caller.subject(), idempotencyKey, commandId));
    }

    /**
     * The account id of a customer's open: name-based (UUID v3) on the customer's subject and its
     * {@code Idempotency-Key}, or on the open's (random) command id when it has no key. Scoped by subject, so
     * that another customer reusing someone's key addresses another account and never learns the first outcome;
     * the space separators cannot occur in a key (visible ASCII), so no teller's key derives the same id.
     */
    public static String customerAccountId(String subject, String idempotencyKey, String commandId) {
        Objects.requireNonNull(subject, "subject");
        String scope = idempotencyKey != null ? "key " + idempotencyKey : "command " + commandId;
        return UUID.nameUUIDFromBytes(("account:customer " + subject.length() + " " + subject + " " + scope)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }
}
