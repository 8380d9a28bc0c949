package dev.eventbank.command.access;

import dev.eventbank.support.security.Roles;
import dev.eventbank.support.text.TextRule;

import java.util.Objects;
import java.util.Set;

/**
 * Who sends a command: the subject and roles of the bearer token the request was authenticated with, checked by
 * micronaut-security-jwt on the instance that received it, and again by the owner of the account's partition when
 * the command is forwarded ({@code authorization} travels with it for that). Pure data: no framework types, so the
 * writer and its tests use it as they are.
 *
 * @param subject       the token's {@code sub}: for a customer, the customer id that owns accounts
 * @param roles         the token's roles ({@link Roles}); any others are ignored
 * @param authorization the request's {@code Authorization} header value ({@code Bearer <JWT>}), forwarded to the
 *                      owner of the partition; null when the command never leaves this instance
 */
public record Caller(String subject, Set<String> roles, String authorization) {

    public Caller {
        Objects.requireNonNull(subject, "subject");
        roles = Set.copyOf(roles);
    }

    /** True for a teller: every command on every account. */
    public boolean isTeller() {
        return roles.contains(Roles.TELLER);
    }

    /** True for a customer that is not also a teller: only its own accounts. */
    public boolean isCustomerOnly() {
        return !isTeller() && roles.contains(Roles.CUSTOMER);
    }

    /**
     * For log lines: the role that decides (teller, customer or none) and the subject, at most 64 characters with
     * control characters shown as {@code U+XXXX} (the subject is the identity provider's text: a line break in it
     * must not start a forged log line); never the token.
     */
    @Override
    public String toString() {
        return (isTeller() ? Roles.TELLER : isCustomerOnly() ? Roles.CUSTOMER : "none") + ":" + TextRule.quote(subject, 64);
    }
}
