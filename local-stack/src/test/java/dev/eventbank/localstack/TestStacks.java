package dev.eventbank.localstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Where the end-to-end tests find the repository and keep their stacks' data: under {@code local-stack/target/it-data},
 * one fresh directory per test class, so the broker log and the service logs of a failed run are there to read
 * afterwards and {@code mvn clean} removes them (nothing is left in the system's temporary directory).
 */
final class TestStacks {

    private TestStacks() {
    }

    /** The repository root, whose jars the stack runs. */
    static Path home() {
        return Path.of(System.getProperty("eventbank.home", "..")).toAbsolutePath().normalize();
    }

    /** An empty data directory for {@code testName}; what an earlier run left there is deleted first. */
    static Path dataDir(String testName) throws IOException {
        Path dir = home().resolve("local-stack/target/it-data").resolve(testName);
        if (Files.exists(dir)) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
        return Files.createDirectories(dir);
    }
}
