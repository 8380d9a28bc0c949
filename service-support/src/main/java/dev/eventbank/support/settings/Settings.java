package dev.eventbank.support.settings;

import java.time.Duration;

/**
 * Range checks of the services' duration and count settings, made where each is injected so that a start with a value out of
 * range fails with the setting's name ({@code ServiceLauncher} creates every bean at start). Micronaut converts
 * {@code -5s} to a negative duration without complaint, and a negative timeout then answered every read at once
 * ("waiting -5000 ms"), or reached Kafka's clients as a message that named none of our settings.
 */
public final class Settings {

    private Settings() {
    }

    /**
     * @param key   the setting's name, e.g. {@code eventbank.commands.reply-timeout}
     * @param value its value
     * @return {@code value}
     * @throws IllegalArgumentException when {@code value} is zero or negative, naming {@code key}
     */
    public static Duration positive(String key, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(key + " must be a positive duration such as 5s or 500ms, was " + value);
        }
        return value;
    }

    /**
     * @param key   the setting's name, e.g. {@code eventbank.streams.standby-replicas}
     * @param value its value
     * @param min   the least it may be
     * @return {@code value}
     * @throws IllegalArgumentException when {@code value} is below {@code min}, naming {@code key}
     */
    public static long atLeast(String key, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(key + " must be at least " + min + ", was " + value);
        }
        return value;
    }

    /**
     * @param key   the setting's name
     * @param value its value
     * @return {@code value}
     * @throws IllegalArgumentException when {@code value} is negative, naming {@code key}
     */
    public static Duration notNegative(String key, Duration value) {
        if (value.isNegative()) {
            throw new IllegalArgumentException(key + " must be a duration of zero or more such as 0s or 5s, was " + value);
        }
        return value;
    }
}
