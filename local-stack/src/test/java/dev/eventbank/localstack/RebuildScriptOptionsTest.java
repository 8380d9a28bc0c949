package dev.eventbank.localstack;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/rebuild-projections} refuses a bad {@code --interval} before it asks for a rebuild: it used to start the
 * rebuild and then die in its first {@code sleep}, leaving the operator a running rebuild and a 409 on retry.
 */
class RebuildScriptOptionsTest {

    private static final Path SCRIPT = Path.of(System.getProperty("user.dir")).getParent().resolve("bin/rebuild-projections");

    @Test
    void aBadIntervalIsRefusedWithoutAnyRequest() throws Exception {
        try (ServerSocket projection = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            for (String interval : new String[] {"abc", "0", "0.0", "-1", "2s"}) {
                Process script = new ProcessBuilder(SCRIPT.toString(), "--url",
                        "http://127.0.0.1:" + projection.getLocalPort(), "--token", "not-used", "--interval", interval)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                assertTrue(script.waitFor(30, TimeUnit.SECONDS), "the script ended");
                String stderr = new String(script.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals(2, script.exitValue(), interval + ": " + stderr);
                assertTrue(stderr.contains("--interval takes a positive number of seconds"), stderr);
                projection.setSoTimeout(200);
                assertThrows(SocketTimeoutException.class, projection::accept, interval + ": no request was sent");
            }
        }
    }

    @Test
    void anOptionWithoutItsValueIsRefusedWithoutAnyRequest() throws Exception {
        for (String option : new String[] {"--url", "--token", "--interval"}) {
            Process script = new ProcessBuilder(SCRIPT.toString(), option)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            assertTrue(script.waitFor(30, TimeUnit.SECONDS), "the script ended");
            String stderr = new String(script.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(2, script.exitValue(), option + ": " + stderr);
            assertEquals("rebuild-projections: " + option + " needs a value (try --help)\n", stderr);
        }
    }

    @Test
    void aFractionalIntervalIsTaken() throws IOException, InterruptedException {
        // nothing listens on the port a closed socket had: the script gets as far as its first request
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        Process script = new ProcessBuilder(SCRIPT.toString(), "--url", "http://127.0.0.1:" + closed, "--token",
                "not-used", "--interval", "0.5").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(script.waitFor(30, TimeUnit.SECONDS), "the script ended");
        String stderr = new String(script.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(stderr.contains("cannot reach the projection service"), stderr);
    }
}
