package dev.eventbank.command.rest;

import dev.eventbank.command.routing.CommandRouter;
import io.micronaut.http.HttpRequest;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The time a forwarded command may take at its owner: never more than the forwarding instance had left, counted on
 * the wall clock too, so that a request read only after the owner was frozen past the caller's deadline is not
 * decided (its caller was answered "outcome unknown" already).
 */
class ReplyDeadlineTest {

    private static final Duration OWN = Duration.ofSeconds(5);
    private static final long NOW = 1_764_000_000_000L;

    @Test
    void shouldTakeNothingOnceTheForwardersDeadlineHasPassedThoughTheRelativeTimeIsLeft() {
        // given: sent with 4,000 ms left, read by the owner 5,400 ms later (frozen meanwhile)
        HttpRequest<?> request = forwarded("4000", String.valueOf(NOW - 1_400));

        // when / then
        assertEquals(Duration.ZERO, InternalCommandsController.replyWithin(request, OWN, NOW));
    }

    @Test
    void shouldTakeTheLeastOfTheRelativeTimeTheTimeToTheDeadlineAndItsOwn() {
        assertEquals(Duration.ofMillis(1_200), InternalCommandsController.replyWithin(
                forwarded("4000", String.valueOf(NOW + 1_200)), OWN, NOW));
        assertEquals(Duration.ofMillis(900), InternalCommandsController.replyWithin(
                forwarded("900", String.valueOf(NOW + 3_000)), OWN, NOW));
        assertEquals(OWN, InternalCommandsController.replyWithin(
                forwarded("60000", String.valueOf(NOW + 60_000)), OWN, NOW));
    }

    @Test
    void shouldIgnoreAHeaderThatIsMissingOrNoNumberAsAnOlderInstanceSendsIt() {
        assertEquals(Duration.ofMillis(2_000), InternalCommandsController.replyWithin(forwarded("2000", null), OWN, NOW));
        assertEquals(Duration.ofMillis(700), InternalCommandsController.replyWithin(
                forwarded("soon", String.valueOf(NOW + 700)), OWN, NOW));
        assertEquals(OWN, InternalCommandsController.replyWithin(forwarded(null, null), OWN, NOW));
    }

    private static HttpRequest<?> forwarded(String within, String by) {
        var request = HttpRequest.POST(CommandRouter.INTERNAL_PATH, new byte[0]);
        if (within != null) {
            request.header(CommandRouter.REPLY_WITHIN_HEADER, within);
        }
        if (by != null) {
            request.header(CommandRouter.REPLY_BY_HEADER, by);
        }
        return request;
    }
}
