package dev.eventbank.command.security;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class InstanceCredentialsTest {

    private static String basic(String userAndPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldAcceptWhatAnInstanceWithTheSameCredentialSends() {
        // given two instances configured alike
        InstanceCredentials forwarding = new InstanceCredentials("command-service", "s3cret:with:colons");
        InstanceCredentials owner = new InstanceCredentials("command-service", "s3cret:with:colons");

        // when / then
        assertEquals(Optional.of(basic("command-service:s3cret:with:colons")), forwarding.headerValue());
        assertEquals(InstanceCredentials.Check.ACCEPTED, owner.check(forwarding.headerValue().orElseThrow()));
        assertEquals(InstanceCredentials.Check.ACCEPTED, owner.check("basic " + forwarding.headerValue().orElseThrow()
                .substring("Basic ".length())));
    }

    @Test
    void shouldRefuseAnythingElse() {
        InstanceCredentials owner = new InstanceCredentials("command-service", "s3cret");

        assertEquals(InstanceCredentials.Check.MISSING, owner.check(null));
        assertEquals(InstanceCredentials.Check.MISSING, owner.check(" "));
        assertEquals(InstanceCredentials.Check.WRONG, owner.check(basic("command-service:other")));
        assertEquals(InstanceCredentials.Check.WRONG, owner.check(basic("someone:s3cret")));
        assertEquals(InstanceCredentials.Check.WRONG, owner.check(basic("command-service:s3cret ")));
        assertEquals(InstanceCredentials.Check.WRONG, owner.check(basic("command-service")));
        assertEquals(InstanceCredentials.Check.WRONG, owner.check("s3cret"));
        assertEquals(InstanceCredentials.Check.WRONG, owner.check("Bearer s3cret"));
        assertEquals(InstanceCredentials.Check.WRONG, owner.check("Basic !!not-base64!!"));
    }

    @Test
    void shouldRefuseEverythingAndSendNothingWithoutAPassword() {
        InstanceCredentials unset = new InstanceCredentials("command-service", "");

        assertEquals(Optional.empty(), unset.headerValue());
        assertEquals(InstanceCredentials.Check.NOT_CONFIGURED, unset.check(null));
        assertEquals(InstanceCredentials.Check.NOT_CONFIGURED, unset.check(basic("command-service:")));
        assertEquals(InstanceCredentials.Check.NOT_CONFIGURED, unset.check(basic("command-service:anything")));
    }
}
