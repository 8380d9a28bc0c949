package dev.eventbank.query;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** What the tests' stand-ins for the projection service's internal API answer with. */
final class StandIns {

    private StandIns() {
    }

    /** Answers {@code exchange} with {@code status} and {@code json} as {@code application/json}, and closes it. */
    static void answerJson(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }
}
