package dev.eventbank.bench;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The REST calls the benchmarks make, over HTTP/1.1 keep-alive connections as a typical client would, each with the
 * same {@code Authorization} header ({@link BenchTokens}).
 */
final class BankClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final String commandUrl;
    private final String queryUrl;
    private final String authorization;

    BankClient(String commandUrl, String queryUrl, String authorization) {
        this.commandUrl = commandUrl;
        this.queryUrl = queryUrl;
        this.authorization = authorization;
    }

    /** Opens an account and returns its id. */
    String open() throws IOException, InterruptedException {
        HttpResponse<String> response = post(commandUrl + "/accounts",
                "{\"owner\":\"Bench Mark\",\"currency\":\"EUR\",\"initialDeposit\":\"0.00\"}");
        if (response.statusCode() != 201) {
            throw new IllegalStateException("open failed: " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body()).path("accountId").asText();
    }

    /** Deposits 1.00; returns the HTTP status and, for a 200, the new version. */
    Outcome deposit(String accountId) throws IOException, InterruptedException {
        HttpResponse<String> response = post(commandUrl + "/accounts/" + accountId + "/deposits", "{\"amount\":\"1.00\"}");
        long version = response.statusCode() == 200 ? JSON.readTree(response.body()).path("version").asLong() : -1;
        return new Outcome(response.statusCode(), version);
    }

    /** Reads the account with read-your-writes; returns the HTTP status. */
    int readAtLeast(String accountId, long version) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(queryUrl + "/accounts/" + accountId + "?minVersion=" + version))
                .timeout(Duration.ofSeconds(30)).header("Authorization", authorization).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private HttpResponse<String> post(String url, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", authorization)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    record Outcome(int status, long version) {
    }
}
