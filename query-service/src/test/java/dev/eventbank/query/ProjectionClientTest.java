package dev.eventbank.query;

import io.micronaut.http.HttpStatus;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ProjectionClientTest {

    @Test
    void shouldAnswer503RetryLaterWhenTheProjectionIsUnreachable() throws Exception {
        // given: a port nobody listens on
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ProjectionClient client = new ProjectionClient("http://localhost:" + port, Duration.ofSeconds(2));

        // when
        CompletionException failure = assertThrows(CompletionException.class, () -> client.relay("iq/bank/totals").join());

        // then
        QueryProblem problem = assertInstanceOf(QueryProblem.class, failure.getCause());
        assertEquals(HttpStatus.SERVICE_UNAVAILABLE, problem.status());
        assertEquals("1", problem.headers().get("Retry-After"));
    }
}
