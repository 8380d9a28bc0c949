package dev.eventbank.localstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The command API as a careful client uses it: a command answered {@code 202 Accepted} (not committed within the
 * reply timeout, as happens on a loaded machine) is followed to its {@code Location} until its outcome is known,
 * so tests judge final outcomes, not timing.
 */
final class CommandClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final Duration requestTimeout;

    /** A client that waits up to 60 s for each answer. */
    CommandClient() {
        this(Duration.ofSeconds(60));
    }

    /** A client that gives up on an answer after {@code requestTimeout} ({@link java.net.http.HttpTimeoutException}). */
    CommandClient(Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
    }

    /** A command's final answer: HTTP status, and for a 2xx the new version and ETag. */
    record Answer(int status, JsonNode body, Optional<String> etag, boolean wasPending) {

        long version() {
            return body.path("version").asLong(-1);
        }
    }

    Answer post(String url, String body) throws IOException, InterruptedException {
        return post(url, body, Map.of());
    }

    Answer post(String url, String body, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 202) {
            return new Answer(response.statusCode(), parse(response.body()), response.headers().firstValue("ETag"), false);
        }
        URI base = URI.create(url);
        URI location = base.resolve(response.headers().firstValue("Location")
                .orElseThrow(() -> new AssertionError("202 without Location: " + response.body())));
        return settle(location);
    }

    /**
     * Polls the command's outcome until it is known, at most 30 s longer than a request may take; the outcome's
     * {@code status} is what the command got.
     */
    private Answer settle(URI location) throws IOException, InterruptedException {
        Duration settleTimeout = requestTimeout.plusSeconds(30);
        long deadline = System.nanoTime() + settleTimeout.toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> poll = http.send(HttpRequest.newBuilder(location).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (poll.statusCode() == 200) {
                JsonNode outcome = parse(poll.body());
                int status = outcome.path("status").asInt();
                Optional<String> etag = status / 100 == 2 ? Optional.of("\"" + outcome.path("version").asLong() + "\"") : Optional.empty();
                return new Answer(status, outcome, etag, true);
            }
            if (poll.statusCode() != 202) {
                throw new AssertionError("polling " + location + " answered " + poll.statusCode() + ": " + poll.body());
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no outcome for " + location + " after " + settleTimeout.toSeconds() + " s");
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body == null || body.isBlank() ? "{}" : body);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }
}
