package dev.eventbank.localstack;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@code bin/rebuild-projections} prints from the projection service's status answers (fields read by the
 * script's own JSON helpers, numbers grouped by thousands), against a real HTTP server that answers as the service's
 * {@code /admin/rebuild} does.
 */
class RebuildScriptProgressTest {

    private static final Path SCRIPT = Path.of(System.getProperty("user.dir")).getParent().resolve("bin/rebuild-projections");

    @Test
    void shouldPrintTheProgressAndTheSwitchFromTheStatusAnswers() throws Exception {
        List<String> statuses = List.of(
                "{\"generation\":3,\"applicationId\":\"app-g3\",\"state\":\"REBUILDING\",\"activeGeneration\":2,"
                        + "\"eventsProcessed\":1234567,\"eventsTotal\":2000000,\"lag\":765433,\"eventsPerSecond\":123456.7,"
                        + "\"etaSeconds\":6.2,\"warning\":null}",
                "{\"generation\":3,\"applicationId\":\"app-g3\",\"state\":\"DONE\",\"activeGeneration\":3,"
                        + "\"eventsProcessed\":2000000,\"eventsTotal\":2000000,\"lag\":0,\"eventsPerSecond\":0,"
                        + "\"secondsToSwitch\":12.34,\"elapsedSeconds\":15.06,\"averageEventsPerSecond\":132802.1,"
                        + "\"warning\":\"old generation's topics \\\"app-g2-x\\\" left\"}");

        Run run = run(statuses);

        assertEquals(0, run.exit(), run.stderr());
        assertTrue(run.stdout().startsWith("rebuild-projections: asking " + run.url() + " to start a rebuild ...\n"
                + "rebuild generation 3 started on " + run.url() + " (app-g3); reads stay on generation 2 until the switch"), run.stdout());
        assertTrue(run.stdout().contains("rebuild generation 3: 1,234,567 / ~2,000,000 events (61 %), 123,457 events/s, ~765,433 left, ETA 6 s"), run.stdout());
        assertTrue(run.stdout().contains("rebuild generation 3: switched after 12.3 s; 2,000,000 events in 15.1 s with the old generation's "
                + "retirement (132,802 events/s on average); reads now served by generation 3"), run.stdout());
        assertTrue(run.stderr().contains("warning: old generation's topics \\\"app-g2-x\\\" left"), run.stderr());
    }

    @Test
    void shouldPrintAFailureWithItsErrorAndExitWithOne() throws Exception {
        List<String> statuses = List.of("{\"generation\":4,\"applicationId\":\"app-g4\",\"state\":\"FAILED\",\"activeGeneration\":3,"
                + "\"eventsProcessed\":10,\"error\":\"broker said: \\\"state\\\": gone, {x}\"}");

        Run run = run(statuses);

        assertEquals(1, run.exit(), run.stderr());
        assertTrue(run.stderr().contains("rebuild generation 4 failed: broker said: \\\"state\\\": gone, {x}; reads stay on generation 3"), run.stderr());
    }

    @Test
    void shouldSayACancelledRebuildLeftTheReadsWhereTheyWere() throws Exception {
        // an operator's DELETE /admin/rebuild: the status has no error (found by a helper trying the script as a user)
        Run run = run(List.of("{\"generation\":7,\"applicationId\":\"app-g7\",\"state\":\"CANCELLED\",\"activeGeneration\":6,"
                + "\"eventsProcessed\":4,\"error\":null}"));

        assertEquals(1, run.exit(), run.stderr());
        assertTrue(run.stderr().contains("rebuild generation 7 cancelled; reads stay on generation 6"), run.stderr());
    }

    @Test
    void shouldNeverEvaluateWhatAnAnswerPutsInANumber(@TempDir Path dir) throws Exception {
        // shell arithmetic evaluates array subscripts, command substitutions included: an answer from a hostile or
        // spoofed service (the default URL is plain http) could run a command on the operator's machine
        Path touched = dir.resolve("touched");
        String expression = "BASH_VERSINFO[$(touch " + touched + ")0]";
        List<String> statuses = List.of(
                "{\"generation\":5,\"applicationId\":\"app-g5\",\"state\":\"REBUILDING\",\"activeGeneration\":4,"
                        + "\"eventsProcessed\":\"" + expression + "\",\"eventsTotal\":\"" + expression + "\",\"lag\":7,"
                        + "\"eventsPerSecond\":\"fast\",\"etaSeconds\":\"soon\"}",
                "{\"generation\":5,\"state\":\"DONE\",\"eventsProcessed\":9,\"secondsToSwitch\":1.0,\"elapsedSeconds\":1.5,"
                        + "\"averageEventsPerSecond\":6,\"warning\":null}");

        Run run = run(statuses);

        assertFalse(Files.exists(touched), "the answer's expression was evaluated");
        assertEquals(0, run.exit(), run.stderr());
        assertTrue(run.stdout().contains("rebuild generation 5: 0 events, 0 events/s, lag not known yet (starting)"), run.stdout());
        assertTrue(run.stdout().contains("rebuild generation 5: switched after 1.0 s"), run.stdout());
    }

    @Test
    void shouldReadAnAnswerWrittenWithWhitespace() throws Exception {
        List<String> statuses = List.of(
                "{\n  \"generation\": 6,\n  \"applicationId\": \"app-g6\",\n  \"state\": \"REBUILDING\",\n  \"activeGeneration\": 5\n}",
                "{\r\n  \"generation\": 6,\r\n  \"state\": \"DONE\" ,\r\n  \"eventsProcessed\": 12 ,\r\n  \"secondsToSwitch\": 2.0,\r\n"
                        + "  \"warning\": \"kept its topics\"\r\n}");

        Run run = run(statuses);

        assertEquals(0, run.exit(), run.stderr());
        assertTrue(run.stdout().contains("rebuild generation 6 started on " + run.url() + " (app-g6); reads stay on generation 5 until the switch"), run.stdout());
        assertTrue(run.stdout().contains("rebuild generation 6: switched after 2.0 s; 12 events"), run.stdout());
        assertTrue(run.stderr().contains("warning: kept its topics"), run.stderr());
    }

    private record Run(String url, int exit, String stdout, String stderr) {
    }

    /** Runs the script against a server that answers the POST with 202 and the first status, then each GET with the next. */
    private static Run run(List<String> statuses) throws IOException, InterruptedException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger gets = new AtomicInteger();
        server.createContext("/admin/rebuild", exchange -> {
            boolean post = "POST".equals(exchange.getRequestMethod());
            String status = post ? statuses.get(0) : statuses.get(Math.min(gets.getAndIncrement(), statuses.size() - 1));
            byte[] answer = status.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(post ? 202 : 200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort();
            Process script = new ProcessBuilder(SCRIPT.toString(), "--url", url, "--token", "operator-token",
                    "--interval", "0.1").start();
            assertTrue(script.waitFor(30, TimeUnit.SECONDS), "the script ended");
            return new Run(url, script.exitValue(), new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                    new String(script.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            server.stop(0);
        }
    }
}
