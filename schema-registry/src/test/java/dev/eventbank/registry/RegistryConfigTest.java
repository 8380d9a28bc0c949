package dev.eventbank.registry;

import io.micronaut.core.convert.ConversionService;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegistryConfigTest {

    private static final ConversionService CONVERSION = ConversionService.SHARED;

    @Test
    void theDefaultsAndAnyCaseOfALevelParse() {
        RegistryConfig config = RegistryConfig.parse("_schemas", "1", "10s", "BACKWARD", CONVERSION);
        assertEquals(new RegistryConfig("_schemas", (short) 1, Duration.ofSeconds(10), CompatibilityLevel.BACKWARD), config);
        assertEquals(CompatibilityLevel.FULL_TRANSITIVE,
                RegistryConfig.parse("_schemas", "3", "500ms", " full_transitive ", CONVERSION).defaultCompatibility());
        assertEquals(Duration.ofMillis(500), RegistryConfig.parse("_schemas", "3", "500ms", "NONE", CONVERSION).timeout());
    }

    @Test
    void aValueThatDoesNotParseNamesItsSettingInsteadOfFallingBackToTheDefault() {
        assertMessage("registry.default-compatibility", () -> RegistryConfig.parse("_schemas", "1", "10s", "FULL_TRANSITVE", CONVERSION));
        assertMessage("registry.timeout", () -> RegistryConfig.parse("_schemas", "1", "abc", "BACKWARD", CONVERSION));
        assertMessage("registry.timeout", () -> RegistryConfig.parse("_schemas", "1", "0s", "BACKWARD", CONVERSION));
        assertMessage("registry.topic-replication-factor", () -> RegistryConfig.parse("_schemas", "x", "10s", "BACKWARD", CONVERSION));
        assertMessage("registry.topic-replication-factor", () -> RegistryConfig.parse("_schemas", "0", "10s", "BACKWARD", CONVERSION));
        assertMessage("registry.topic", () -> RegistryConfig.parse(" ", "1", "10s", "BACKWARD", CONVERSION));
    }

    private static void assertMessage(String setting, org.junit.jupiter.api.function.Executable parse) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, parse);
        assertTrue(e.getMessage().startsWith(setting + " must be"), e.getMessage());
    }
}
