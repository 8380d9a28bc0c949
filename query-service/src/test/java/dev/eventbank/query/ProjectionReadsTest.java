package dev.eventbank.query;

import com.sun.net.httpserver.HttpServer;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import io.micronaut.http.HttpStatus;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProjectionReadsTest {

    private static final io.micronaut.json.JsonMapper JSON = io.micronaut.json.JsonMapper.createDefault();
    private static final String ACCOUNT = "6f1c2d3e-0000-4000-8000-000000000001";

    @Test
    void shouldAnswerA503NotA500WhenATimeTravelOutcomeLacksTheMemberItNames() throws Exception {
        assertRetryLater(time -> time.asOfVersion(ACCOUNT, 9), "{\"outcome\":\"BEYOND_CURRENT\"}");
        assertRetryLater(time -> time.asOf(ACCOUNT, Instant.parse("2020-01-01T00:00:00Z")), "{\"outcome\":\"BEFORE_OPENING\"}");
    }

    @Test
    void shouldAnswerA404WithTheMemberWhenTheOutcomeHasIt() throws Exception {
        QueryProblem beyond = problemOf(time -> time.asOfVersion(ACCOUNT, 9),
                "{\"outcome\":\"BEYOND_CURRENT\",\"currentVersion\":3}");
        assertEquals(HttpStatus.NOT_FOUND, beyond.status());
        assertTrue(beyond.getMessage().contains("its current version is 3"), beyond.getMessage());
        QueryProblem before = problemOf(time -> time.asOf(ACCOUNT, Instant.parse("2020-01-01T00:00:00Z")),
                "{\"outcome\":\"BEFORE_OPENING\",\"openedAt\":\"2021-01-01T00:00:00Z\"}");
        assertEquals(HttpStatus.NOT_FOUND, before.status());
        assertTrue(before.getMessage().contains("was opened at 2021-01-01T00:00:00Z"), before.getMessage());
    }

    private static void assertRetryLater(java.util.function.Function<ProjectionReads, java.util.concurrent.CompletableFuture<?>> read,
                                         String answer) throws Exception {
        QueryProblem problem = problemOf(read, answer);
        assertEquals(HttpStatus.SERVICE_UNAVAILABLE, problem.status(), problem.getMessage());
    }

    /** The problem {@code read} fails with when a stand-in projection answers every state request with {@code answer}. */
    private static QueryProblem problemOf(java.util.function.Function<ProjectionReads, java.util.concurrent.CompletableFuture<?>> read,
                                          String answer) throws Exception {
        HttpServer projection = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        projection.createContext("/" + ProjectionV1.PATH + "accounts/", exchange -> StandIns.answerJson(exchange, 200, answer));
        projection.start();
        try {
            ProjectionReads reads = new ProjectionReads(new ProjectionClient("http://localhost:" + projection.getAddress().getPort(),
                    Duration.ofSeconds(5), JSON, "query-service", ""),
                    // nothing is decoded in these answers: the registry is never asked
                    SchemaRegistryClients.forConfig(Map.of(SchemaRegistryClients.URL, "http://localhost:1")));
            CompletionException failure = assertThrows(CompletionException.class, () -> read.apply(reads).join());
            return assertInstanceOf(QueryProblem.class, failure.getCause());
        } finally {
            projection.stop(0);
        }
    }
}
