package dev.eventbank.query;

import com.sun.net.httpserver.HttpServer;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProjectionClientTest {

    private static final io.micronaut.json.JsonMapper JSON = io.micronaut.json.JsonMapper.createDefault();

    @Test
    void shouldPassTheCorrelationIdAlongWhenTheCallerHasOne() throws Exception {
        // given: a stand-in projection that answers with the correlation id it was given
        HttpServer projection = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        projection.createContext("/metrics/eventbank.projection.lag", exchange -> {
            byte[] body = String.valueOf(exchange.getRequestHeaders().getFirst("X-Correlation-Id"))
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        projection.start();
        ProjectionClient client = new ProjectionClient("http://localhost:" + projection.getAddress().getPort(),
                Duration.ofSeconds(5), JSON, "query-service", "s3cret");
        try {
            // when
            HttpResponse<?> withId;
            MDC.put("correlationId", "corr-relay-1");
            try {
                withId = client.relay("metrics/eventbank.projection.lag").join();
            } finally {
                MDC.remove("correlationId");
            }
            HttpResponse<?> withoutId = client.relay("metrics/eventbank.projection.lag").join();

            // then
            assertEquals("corr-relay-1", new String((byte[]) withId.body(), StandardCharsets.UTF_8));
            assertEquals("null", new String((byte[]) withoutId.body(), StandardCharsets.UTF_8));
        } finally {
            projection.stop(0);
        }
    }

    @Test
    void shouldSendTheInternalCredentialsAsHttpBasicAndNoneWithoutAPassword() throws Exception {
        // given: a stand-in projection that answers with the Authorization header it was given
        HttpServer projection = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        projection.createContext("/metrics/eventbank.projection.lag", exchange -> {
            byte[] body = String.valueOf(exchange.getRequestHeaders().getFirst("Authorization"))
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        projection.start();
        String url = "http://localhost:" + projection.getAddress().getPort();
        try {
            // when
            HttpResponse<?> configured = new ProjectionClient(url, Duration.ofSeconds(5), JSON, "query-service", "s3cret:é")
                    .relay("metrics/eventbank.projection.lag").join();
            HttpResponse<?> unconfigured = new ProjectionClient(url, Duration.ofSeconds(5), JSON, "query-service", "")
                    .relay("metrics/eventbank.projection.lag").join();

            // then: RFC 7617, user-id ":" password in UTF-8, base64
            assertEquals("Basic " + java.util.Base64.getEncoder().encodeToString(
                    "query-service:s3cret:é".getBytes(StandardCharsets.UTF_8)),
                    new String((byte[]) configured.body(), StandardCharsets.UTF_8));
            assertEquals("null", new String((byte[]) unconfigured.body(), StandardCharsets.UTF_8));
        } finally {
            projection.stop(0);
        }
    }

    @Test
    void shouldAnswer503RetryLaterWhenTheProjectionIsUnreachable() throws Exception {
        // given: a port nobody listens on, held by a socket bound to it that never listens (connections to it are
        // refused, and no other process, such as another module's test JVM, can take it meanwhile)
        CompletionException relayed;
        CompletionException read;
        try (java.net.Socket holder = new java.net.Socket()) {
            holder.bind(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
            ProjectionClient client = new ProjectionClient("http://127.0.0.1:" + holder.getLocalPort(),
                    Duration.ofSeconds(2), JSON, "query-service", "s3cret");

            // when
            relayed = assertThrows(CompletionException.class,
                    () -> client.relay("metrics/eventbank.projection.lag").join());
            read = assertThrows(CompletionException.class,
                    () -> client.get("internal/v1/bank/totals", ProjectionV1.Totals.class).join());
        }

        // then
        for (CompletionException failure : java.util.List.of(relayed, read)) {
            QueryProblem problem = assertInstanceOf(QueryProblem.class, failure.getCause());
            assertEquals(HttpStatus.SERVICE_UNAVAILABLE, problem.status());
            assertEquals("1", problem.headers().get("Retry-After"));
            // the bank totals and the lag are not account histories: the text names no read in particular
            assertEquals("the projection service did not answer; retry in a moment", problem.getMessage());
        }
    }

    @Test
    void shouldAnswer503RetryLaterWhenTheInternalApiAnswersAnythingButA200() throws Exception {
        // given: a projection without /internal/v1 (another version): its 404 is not the caller's "not found"
        HttpServer projection = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        projection.createContext("/", exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        projection.start();
        ProjectionClient client = new ProjectionClient("http://localhost:" + projection.getAddress().getPort(),
                Duration.ofSeconds(5), JSON, "query-service", "s3cret");
        try {
            // when
            CompletionException failure = assertThrows(CompletionException.class,
                    () -> client.get("internal/v1/bank/totals", ProjectionV1.Totals.class).join());

            // then
            QueryProblem problem = assertInstanceOf(QueryProblem.class, failure.getCause());
            assertEquals(HttpStatus.SERVICE_UNAVAILABLE, problem.status());
            assertEquals("the projection service answered 404; retry in a moment", problem.getMessage());
        } finally {
            projection.stop(0);
        }
    }

    @Test
    void shouldAnswer503WithoutRetryWhenTheInternalApiRefusesThisServicesCredentials() throws Exception {
        // given: a projection whose internal password is another: it answers 401 (and 403 for a wrong role)
        for (int status : new int[] {401, 403}) {
            HttpServer projection = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
            projection.createContext("/", exchange -> {
                exchange.sendResponseHeaders(status, -1);
                exchange.close();
            });
            projection.start();
            ProjectionClient client = new ProjectionClient("http://localhost:" + projection.getAddress().getPort(),
                    Duration.ofSeconds(5), JSON, "query-service", "wrong");
            try {
                // when: a read, and the lag relayed
                for (Runnable read : new Runnable[] {
                        () -> client.get("internal/v1/bank/totals", ProjectionV1.Totals.class).join(),
                        () -> client.relay("metrics/eventbank.projection.lag").join()}) {
                    CompletionException failure = assertThrows(CompletionException.class, read::run);

                    // then: the caller is told it is the service's configuration, not its token or a passing outage
                    QueryProblem problem = assertInstanceOf(QueryProblem.class, failure.getCause());
                    assertEquals(HttpStatus.SERVICE_UNAVAILABLE, problem.status());
                    assertEquals(null, problem.headers().get("Retry-After"));
                    assertTrue(problem.getMessage().contains("refused this query service's credentials"),
                            problem.getMessage());
                }
            } finally {
                projection.stop(0);
            }
        }
    }

    @Test
    void shouldAnswer503AtOnceBeyondItsReadsInFlightAndTakeSlotsBackWhenAnswered() throws Exception {
        // given: a stand-in projection that holds each answer until released
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        HttpServer projection = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        projection.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        projection.createContext("/metrics/eventbank.projection.lag", exchange -> {
            try {
                release.await(20, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        projection.start();
        ProjectionClient client = new ProjectionClient("http://localhost:" + projection.getAddress().getPort(),
                Duration.ofSeconds(30), JSON, "query-service", "s3cret", 2);
        try {
            // when: two reads in flight, then a third
            var first = client.relay("metrics/eventbank.projection.lag");
            var second = client.relay("metrics/eventbank.projection.lag");
            CompletionException third = assertThrows(CompletionException.class,
                    () -> client.relay("metrics/eventbank.projection.lag").join());
            release.countDown();
            first.join();
            second.join();
            HttpResponse<?> afterwards = client.relay("metrics/eventbank.projection.lag").join();

            // then
            QueryProblem busy = assertInstanceOf(QueryProblem.class, third.getCause());
            assertEquals(HttpStatus.SERVICE_UNAVAILABLE, busy.status());
            assertEquals("1", busy.headers().get("Retry-After"));
            assertEquals(200, afterwards.code());
        } finally {
            release.countDown();
            projection.stop(0);
        }
    }
}
