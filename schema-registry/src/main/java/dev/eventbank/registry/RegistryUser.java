package dev.eventbank.registry;

import io.micronaut.context.annotation.EachProperty;
import io.micronaut.context.annotation.Parameter;

import java.util.List;

/**
 * One user of HTTP Basic authentication, configured under {@code registry.security.users.<name>}: {@code password}
 * (from the environment or a secret store, e.g. {@code REGISTRY_SECURITY_USERS_COMMAND_PASSWORD}; never committed)
 * and {@code roles} (a list; {@link RegistryRoles#WRITER} may change the registry, a user without it may only read,
 * which reads need no user for anyway). A user without a password cannot log in.
 *
 * <p>User names are the map keys; keep them to letters and digits so that an environment variable names them
 * unambiguously (Micronaut reads {@code _} as {@code .} or {@code -}).
 */
@EachProperty("registry.security.users")
public final class RegistryUser {

    private final String name;
    private String password = "";
    private List<String> roles = List.of();

    public RegistryUser(@Parameter String name) {
        this.name = name;
    }

    public String getName() {
        return name;
    }

    public String getPassword() {
        return password;
    }

    public void setPassword(String password) {
        this.password = password == null ? "" : password;
    }

    public List<String> getRoles() {
        return roles;
    }

    public void setRoles(List<String> roles) {
        this.roles = roles == null ? List.of() : List.copyOf(roles);
    }

    /** Never the password. */
    @Override
    public String toString() {
        return "RegistryUser[" + name + ", roles=" + roles + "]";
    }
}
