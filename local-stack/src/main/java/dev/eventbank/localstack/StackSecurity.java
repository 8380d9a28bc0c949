package dev.eventbank.localstack;

import dev.eventbank.devissuer.DevIssuer;
import dev.eventbank.devissuer.DevToken;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The local stack's credentials, all kept in {@code <data dir>/security} (owner-only files, never committed:
 * {@code .local-stack-data} is git-ignored) and made once, so they survive restarts:
 * <ul>
 *   <li>the development token issuer ({@link DevIssuer}): every service and the registry trust its key set, and
 *       {@code bin/dev-token ROLE [SUBJECT]} signs tokens with its key;</li>
 *   <li>{@value #PASSWORDS_FILE}: random passwords (144 bits each) of the registry's writers, one per service that
 *       registers schemas ({@link #REGISTRY_WRITERS}), of the query service's user of the projection
 *       service's internal API, and the command service instances' own credential ({@link #COMMAND_INSTANCE_USER}:
 *       the same for every instance, which forwards commands to the owner of a partition with it).</li>
 * </ul>
 *
 * <p>What goes where: non-secret settings (the issuer's key set file, issuer, audience, user names, roles) as
 * system properties ({@link #properties}); passwords as environment variables of the child process only
 * ({@link #environment}), since a process's command line is readable by every user of the machine and its
 * environment only by its owner.
 */
final class StackSecurity {

    static final String PASSWORDS_FILE = "local-passwords.properties";
    /** The registry's Basic users by module, each with the role {@code writer}; letters only (environment names). */
    static final Map<String, String> REGISTRY_WRITERS = Map.of(
            "command-service", "command",
            "projection-service", "projection",
            "query-service", "query");
    /** The query service's user of the projection service's internal API (the read side's default name). */
    static final String INTERNAL_USER = "query-service";
    /** The command service instances' credential on each other's {@code /internal/**} (the service's default name). */
    static final String COMMAND_INSTANCE_USER = "command-service";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final DevIssuer issuer;
    private final Map<String, String> passwords;

    private StackSecurity(DevIssuer issuer, Map<String, String> passwords) {
        this.issuer = issuer;
        this.passwords = passwords;
    }

    /**
     * Loads the issuer and the passwords from {@code <dataDir>/security}, making what is missing.
     *
     * @throws UncheckedIOException when the directory cannot be read or written
     */
    static StackSecurity inDataDirectory(Path dataDir) {
        Path directory = DevToken.securityDirectory(dataDir);
        DevIssuer issuer = DevIssuer.inDirectory(directory);
        try {
            return new StackSecurity(issuer, loadOrCreatePasswords(directory.resolve(PASSWORDS_FILE)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    DevIssuer issuer() {
        return issuer;
    }

    /** The system properties of {@code module}: nothing secret. */
    Map<String, String> properties(String module) {
        Map<String, String> properties = new LinkedHashMap<>(issuer.serviceProperties());
        switch (module) {
            case "schema-registry" -> REGISTRY_WRITERS.values().forEach(user ->
                    properties.put("registry.security.users." + user + ".roles", "writer"));
            case "query-service", "projection-service" ->
                    properties.put("eventbank.security.internal.username", INTERNAL_USER);
            default -> {
            }
        }
        return properties;
    }

    /** The environment variables of {@code module}: its passwords (Micronaut reads them as properties). */
    Map<String, String> environment(String module) {
        Map<String, String> environment = new LinkedHashMap<>();
        if (module.equals("schema-registry")) {
            REGISTRY_WRITERS.values().forEach(user -> environment.put(
                    "REGISTRY_SECURITY_USERS_" + user.toUpperCase() + "_PASSWORD", passwords.get("registry." + user)));
        }
        if (REGISTRY_WRITERS.containsKey(module)) {
            environment.put("SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO", registryUserInfo(module));
        }
        if (List.of("query-service", "projection-service").contains(module)) {
            environment.put("EVENTBANK_SECURITY_INTERNAL_PASSWORD", passwords.get("internal." + INTERNAL_USER));
        }
        if (module.equals("command-service")) {
            // every instance the same: a second one (join/leave, failover, benchmarks) forwards with it
            environment.put("EVENTBANK_SECURITY_INTERNAL_PASSWORD", passwords.get("internal." + COMMAND_INSTANCE_USER));
        }
        return environment;
    }

    /** {@code user:password} of {@code module}'s registry writer (Confluent's {@code basic.auth.user.info}). */
    String registryUserInfo(String module) {
        String writer = REGISTRY_WRITERS.get(module);
        if (writer == null) {
            throw new IllegalArgumentException(module + " has no registry user");
        }
        return writer + ":" + passwords.get("registry." + writer);
    }

    private static Map<String, String> loadOrCreatePasswords(Path file) throws IOException {
        Properties stored = new Properties();
        if (Files.exists(file)) {
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                stored.load(reader);
            }
        }
        List<String> needed = new java.util.ArrayList<>();
        REGISTRY_WRITERS.values().forEach(user -> needed.add("registry." + user));
        needed.add("internal." + INTERNAL_USER);
        needed.add("internal." + COMMAND_INSTANCE_USER);
        boolean changed = false;
        for (String key : needed) {
            if (stored.getProperty(key, "").isEmpty()) {
                stored.setProperty(key, randomPassword());
                changed = true;
            }
        }
        if (changed) {
            createOwnerOnly(file);
            try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING)) {
                stored.store(writer, "local stack passwords, made by bin/local-stack; keep this file private");
            }
        }
        Map<String, String> passwords = new LinkedHashMap<>();
        needed.forEach(key -> passwords.put(key, stored.getProperty(key)));
        return passwords;
    }

    private static void createOwnerOnly(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            // an earlier run's file with a key missing: rewritten in place, its mode kept
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
    }

    /** 18 random bytes, base64url: 24 characters, no padding, nothing a shell or a URL would need quoted. */
    private static String randomPassword() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
