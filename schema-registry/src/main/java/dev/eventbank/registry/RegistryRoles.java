package dev.eventbank.registry;

/**
 * The roles that may change the registry (register or delete schemas, set compatibility levels). Reads need no
 * role: other teams decode our topics with the registry, as with Confluent's.
 *
 * <p>{@link #WRITER} is given to configured Basic users ({@link RegistryUser}), the services that register their
 * own schemas; {@link #OPERATOR} is the platform's operator role, from a bearer token (JWT) of the same issuer the
 * services trust (README, Security).
 */
final class RegistryRoles {

    static final String WRITER = "writer";
    static final String OPERATOR = "operator";

    private RegistryRoles() {
    }
}
