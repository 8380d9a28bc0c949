package dev.eventbank.projection.security;

import dev.eventbank.support.testing.LogCapture;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InternalCredentialsTest {

    @Test
    void shouldMatchOnlyTheConfiguredUsernameAndPassword() {
        // given
        InternalCredentials credentials = new InternalCredentials("query-service", "s3cret");

        // then
        assertTrue(credentials.configured());
        assertTrue(credentials.matches("query-service", "s3cret"));
        assertFalse(credentials.matches("query-service", "s3cret "));
        assertFalse(credentials.matches("query-service", "s3cre"));
        assertFalse(credentials.matches("query-service", ""));
        assertFalse(credentials.matches("Query-Service", "s3cret"));
        assertFalse(credentials.matches("someone", "s3cret"));
        assertFalse(credentials.matches(null, "s3cret"));
        assertFalse(credentials.matches("query-service", null));
    }

    @Test
    void shouldMatchNothingAndSayOnceWhenNoPasswordIsConfigured() {
        try (LogCapture log = LogCapture.of(InternalCredentials.class)) {
            // when
            InternalCredentials credentials = new InternalCredentials("query-service", "");

            // then: not even the empty password
            assertFalse(credentials.configured());
            assertFalse(credentials.matches("query-service", ""));
            assertFalse(credentials.matches("query-service", "anything"));
            assertEquals(1, log.lines("internal API closed").size(), log.lines().toString());
        }
    }
}
