package dev.eventbank.command.rest;

import dev.eventbank.command.writer.QueueFullException;
import io.micronaut.http.HttpResponse;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A command refused for a full partition queue is load shedding: 503 with Retry-After, never a client error. */
class QueueFullProblemTest {

    @Test
    void shouldAnswer503UnavailableWithRetryAfterWhenTheQueueIsFull() {
        // given
        QueueFullException full = new QueueFullException("the writer of the account's partition has 1000 commands waiting");

        // when
        HttpResponse<?> response = new ProblemHandlers.QueueFullHandler().handle(null, full);

        // then
        assertEquals(503, response.code());
        assertEquals("1", response.getHeaders().get("Retry-After"));
        assertTrue(response.getContentType().map(Object::toString).orElse("").startsWith("application/problem+json"),
                "" + response.getContentType());
        @SuppressWarnings("unchecked")
        Map<String, Object> body = (Map<String, Object>) response.getBody().orElseThrow();
        assertEquals("/problems/unavailable", body.get("type"));
        assertEquals(503, body.get("status"));
        assertEquals(full.getMessage(), body.get("detail"));
    }
}
