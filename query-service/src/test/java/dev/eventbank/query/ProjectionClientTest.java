package dev.eventbank.query;

import com.sun.net.httpserver.HttpServer;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ProjectionClientTest {

    @Test
    void shouldPassTheCorrelationIdAlongWhenTheCallerHasOne() throws Exception {
        // given: a stand-in projection that answers with the correlation id it was given
        HttpServer projection = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        projection.createContext("/iq/bank/totals", exchange -> {
            byte[] body = String.valueOf(exchange.getRequestHeaders().getFirst("X-Correlation-Id"))
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        projection.start();
        ProjectionClient client = new ProjectionClient("http://localhost:" + projection.getAddress().getPort(),
                Duration.ofSeconds(5));
        try {
            // when
            HttpResponse<?> withId;
            MDC.put("correlationId", "corr-relay-1");
            try {
                withId = client.relay("iq/bank/totals").join();
            } finally {
                MDC.remove("correlationId");
            }
            HttpResponse<?> withoutId = client.relay("iq/bank/totals").join();

            // then
            assertEquals("corr-relay-1", new String((byte[]) withId.body(), StandardCharsets.UTF_8));
            assertEquals("null", new String((byte[]) withoutId.body(), StandardCharsets.UTF_8));
        } finally {
            projection.stop(0);
        }
    }

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
