package dev.eventbank.localstack;

import dev.eventbank.devissuer.DevIssuer;
import dev.eventbank.devissuer.DevToken;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Where the end-to-end tests find the repository and keep their stacks' data: under {@code local-stack/target/it-data},
 * one fresh directory per test class, so the broker log and the service logs of a failed run are there to read
 * afterwards and {@code mvn clean} removes them (nothing is left in the system's temporary directory).
 *
 * <p>Tokens: every test stack trusts one issuer of the test JVM ({@link #issuer()}, its key under
 * {@code local-stack/target/it-security}), because {@link #dataDir} puts that key where a stack keeps its own
 * ({@code <data dir>/security}, which the stack then loads instead of making one): so helpers that outlive a stack
 * ({@link CommandClient}, {@link Deposits}) send a teller's token ({@link #tellerAuthorization()}) without knowing it.
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
        Files.createDirectories(dir);
        Path security = DevToken.securityDirectory(dir);
        Files.createDirectories(security);
        Path shared = issuer().jwksFile().getParent();
        try (Stream<Path> files = Files.list(shared)) {
            for (Path file : files.toList()) {
                Files.copy(file, security.resolve(file.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        return dir;
    }

    /** The issuer every test stack trusts. */
    static synchronized DevIssuer issuer() {
        if (issuer == null) {
            issuer = DevIssuer.inDirectory(home().resolve("local-stack/target/it-security"));
        }
        return issuer;
    }

    private static DevIssuer issuer;
    private static String tellerAuthorization;

    /** {@code Bearer <token>} of a teller (every command, every read), valid for six hours: a test's default identity. */
    static synchronized String tellerAuthorization() {
        if (tellerAuthorization == null) {
            tellerAuthorization = "Bearer " + issuer().token("teller", "it-teller", Duration.ofHours(6));
        }
        return tellerAuthorization;
    }

    /** {@code Bearer <token>} for {@code role} and {@code subject}, valid for an hour. */
    static String bearer(String role, String subject) {
        return "Bearer " + issuer().token(role, subject);
    }
}
