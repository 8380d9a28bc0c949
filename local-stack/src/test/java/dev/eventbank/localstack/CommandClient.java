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
 * The command API as the tests call it: one POST, its status, body and {@code ETag}. A command whose outcome the
 * service does not know within its reply timeout is answered {@code 503} (outcome unknown; retry with the same
 * {@code Idempotency-Key} to learn it), which callers see as such. Requests are a teller's
 * ({@link TestStacks#tellerAuthorization()}) unless the headers name another {@code Authorization}.
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

    /** A command's answer: HTTP status, and for a 2xx the new version and ETag. */
    record Answer(int status, JsonNode body, Optional<String> etag) {

        long version() {
            return body.path("version").asLong(-1);
        }
    }

    /**
     * Opens a EUR account through the command service at {@code commandUrl} (its base URL) and
     * answers its id; fails the test unless the answer is 201.
     *
     * @param initialDeposit a decimal string, e.g. {@code "10.00"}
     */
    String open(String commandUrl, String owner, String initialDeposit) throws IOException, InterruptedException {
        Answer opened = post(commandUrl + "/accounts", "{\"owner\":\"" + owner + "\",\"currency\":\"EUR\","
                + "\"initialDeposit\":\"" + initialDeposit + "\"}");
        org.junit.jupiter.api.Assertions.assertEquals(201, opened.status(), opened.body().toString());
        return opened.body().path("accountId").asText();
    }

    Answer post(String url, String body) throws IOException, InterruptedException {
        return post(url, body, Map.of());
    }

    Answer post(String url, String body, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (!headers.containsKey("Authorization")) {
            request.header("Authorization", TestStacks.tellerAuthorization());
        }
        headers.forEach(request::header);
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), parse(response.body()), response.headers().firstValue("ETag"));
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body == null || body.isBlank() ? "{}" : body);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }
}
