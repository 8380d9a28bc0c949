package dev.eventbank.registry;

import java.util.Locale;

/**
 * Confluent's compatibility levels. BACKWARD: the new schema (reader) reads data written with the earlier one;
 * FORWARD: the earlier schema reads data written with the new one; FULL: both. Without {@code _TRANSITIVE} only the
 * latest version is checked, with it every live version.
 */
public enum CompatibilityLevel {
    NONE(false, false, false),
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true);

    private final boolean backward;
    private final boolean forward;
    private final boolean transitive;

    CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
        this.backward = backward;
        this.forward = forward;
        this.transitive = transitive;
    }

    /** Parses a level case-insensitively, as Confluent does; anything else is a 42203. */
    public static CompatibilityLevel parse(String name) {
        if (name == null || name.isBlank()) {
            throw RegistryException.invalidCompatibilityLevel();
        }
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw RegistryException.invalidCompatibilityLevel();
        }
    }

    public boolean backward() {
        return backward;
    }

    public boolean forward() {
        return forward;
    }

    public boolean transitive() {
        return transitive;
    }
}
