package dev.eventbank.query;

import dev.eventbank.schemas.readmodel.AccountState;
import dev.eventbank.support.security.Roles;
import io.micronaut.security.authentication.Authentication;

import java.util.Collection;
import java.util.function.Predicate;

/**
 * Which accounts a caller may read, from its bearer token: a {@code teller} or an {@code auditor} reads every
 * account; a {@code customer} only the accounts whose {@code ownerId} is the token's subject (its customer id).
 * An account a caller may not read is answered exactly as one that does not exist (the same 404 problem, after
 * the same wait for a {@code minVersion}), so that a customer learns nothing about other customers' accounts, not
 * even that they exist. Accounts opened before owners were recorded ({@code ownerId} null) belong to no customer.
 *
 * <p>Other roles never get here: the controllers' {@code @Secured} refuses them first (403).
 */
final class ReadScope implements Predicate<AccountState> {

    /** Every account: tellers and auditors. */
    static final ReadScope ALL = new ReadScope(null);

    private final String customerId;

    private ReadScope(String customerId) {
        this.customerId = customerId;
    }

    /**
     * The scope of {@code authentication}'s roles and subject.
     *
     * @throws IllegalStateException for a caller with none of the reading roles ({@code @Secured} stops those)
     */
    static ReadScope of(Authentication authentication) {
        Collection<String> roles = authentication.getRoles();
        if (roles.contains(Roles.TELLER) || roles.contains(Roles.AUDITOR)) {
            return ALL;
        }
        if (roles.contains(Roles.CUSTOMER)) {
            // a customer token without a subject owns nothing: it reads no account
            String subject = authentication.getName();
            return new ReadScope(subject == null || subject.isBlank() ? "" : subject);
        }
        throw new IllegalStateException("no reading role in " + roles + ": @Secured should have refused the request");
    }

    /** Whether the caller reads every account. */
    boolean all() {
        return customerId == null;
    }

    /**
     * The owner whose accounts alone the caller reads (the customer id; empty for a customer token without a
     * subject, which owns nothing), null for a caller who reads every account.
     */
    String ownerId() {
        return customerId;
    }

    /** Whether the caller may read {@code state} (never a state without an owner for a customer). */
    @Override
    public boolean test(AccountState state) {
        return customerId == null || (state != null && !customerId.isEmpty() && customerId.equals(state.getOwnerId()));
    }
}
