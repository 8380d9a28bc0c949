package dev.eventbank.localstack;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * docker-compose.yml cannot be run here (no Docker engine), so it is validated by docker-compose itself
 * and checked to publish the same ports as the local stack. CI installs docker-compose (compose v1);
 * without it the test is skipped.
 */
class DockerComposeFileTest {

    private static final Path HOME = Path.of(System.getProperty("eventbank.home", "..")).toAbsolutePath().normalize();

    @Test
    void shouldBeAValidComposeFileWithTheLocalStackPorts() throws Exception {
        assumeTrue(onPath("docker-compose"), "docker-compose is not installed");

        // when
        Process config = new ProcessBuilder("docker-compose", "-f", HOME.resolve("docker-compose.yml").toString(), "config")
                .redirectErrorStream(true).start();
        String output = new String(config.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(config.waitFor(60, TimeUnit.SECONDS));

        // then
        assertEquals(0, config.exitValue(), output);
        StackPorts ports = StackPorts.defaults();
        for (int port : List.of(ports.kafka(), ports.registry(), ports.command(), ports.query(), ports.projection())) {
            assertTrue(output.contains("published: " + port) || output.contains(port + ":" + port), "port " + port + " in\n" + output);
        }
        for (String service : List.of("kafka:", "schema-registry:", "command-service:", "projection-service:", "query-service:")) {
            assertTrue(output.contains(service), service + " in\n" + output);
        }
    }

    private static boolean onPath(String command) throws IOException {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isBlank() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
