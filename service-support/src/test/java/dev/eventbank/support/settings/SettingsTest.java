package dev.eventbank.support.settings;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SettingsTest {

    @Test
    void aValueOutOfRangeNamesItsSetting() {
        assertEquals(Duration.ofSeconds(5), Settings.positive("eventbank.commands.reply-timeout", Duration.ofSeconds(5)));
        assertEquals("eventbank.commands.reply-timeout must be a positive duration such as 5s or 500ms, was PT-1S",
                assertThrows(IllegalArgumentException.class,
                        () -> Settings.positive("eventbank.commands.reply-timeout", Duration.ofSeconds(-1))).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Settings.positive("x", Duration.ZERO));

        assertEquals(Duration.ZERO, Settings.notNegative("eventbank.query.min-version-timeout", Duration.ZERO));
        assertEquals("eventbank.query.min-version-timeout must be a duration of zero or more such as 0s or 5s, was PT-5S",
                assertThrows(IllegalArgumentException.class,
                        () -> Settings.notNegative("eventbank.query.min-version-timeout", Duration.ofSeconds(-5))).getMessage());

        assertEquals(0, Settings.atLeast("eventbank.streams.standby-replicas", 0, 0));
        assertEquals("eventbank.snapshots.every-events must be at least 1, was 0",
                assertThrows(IllegalArgumentException.class,
                        () -> Settings.atLeast("eventbank.snapshots.every-events", 0, 1)).getMessage());
    }
}
