package dev.eventbank.localkafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The passwords of the broker's principals in one local data directory: the broker's own {@value #ADMIN} (super
 * user: the broker itself, the local stack's set-up, tests and benchmarks that write the event log directly) and
 * one per service ({@link KafkaPrincipals}). Created once with random 24-byte passwords, kept in
 * {@code kafka-credentials.properties} (owner read/write only) so a restart on the same data directory finds them.
 *
 * <p>Client settings: {@link #clientProperties(String)} gives what a Kafka client of that principal sets:
 * SASL_PLAINTEXT with SCRAM-SHA-512 for the services, PLAIN for {@value #ADMIN} (whose password the broker's
 * configuration holds, so it exists before any SCRAM credential is stored in the metadata log). The local broker
 * accepts PLAIN from every principal too ({@link #plainClientProperties}), for librdkafka-based tools older than 2.6.1,
 * which cannot do SCRAM with Kafka 4.x.
 */
public final class KafkaCredentials {

    /** The super user: the broker's own inter-broker and controller principal. */
    public static final String ADMIN = "admin";
    public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";
    static final String FILE = "kafka-credentials.properties";

    private final Map<String, String> passwords;

    private KafkaCredentials(Map<String, String> passwords) {
        this.passwords = Map.copyOf(passwords);
    }

    /**
     * Loads the passwords from {@code directory}, adding a random one for every principal of {@code principals}
     * (and {@value #ADMIN}) that has none yet.
     *
     * @throws UncheckedIOException when the file cannot be read or written
     */
    public static KafkaCredentials inDirectory(Path directory, List<String> principals) {
        try {
            Files.createDirectories(directory);
            Path file = directory.resolve(FILE);
            Properties stored = new Properties();
            if (Files.exists(file)) {
                try (var reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    stored.load(reader);
                }
            }
            Map<String, String> passwords = new LinkedHashMap<>();
            stored.stringPropertyNames().forEach(name -> passwords.put(name, stored.getProperty(name)));
            boolean changed = false;
            SecureRandom random = new SecureRandom();
            for (String principal : concat(ADMIN, principals)) {
                if (!passwords.containsKey(principal)) {
                    byte[] bytes = new byte[24];
                    random.nextBytes(bytes);
                    passwords.put(principal, Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
                    changed = true;
                }
            }
            if (changed) {
                Properties out = new Properties();
                out.putAll(passwords);
                if (!Files.exists(file)) {
                    try {
                        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                    } catch (UnsupportedOperationException e) {
                        Files.createFile(file);
                    }
                }
                try (var writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                    out.store(writer, "Kafka SASL passwords of this data directory's broker; never commit");
                }
            }
            return new KafkaCredentials(passwords);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new java.util.ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all;
    }

    /** The password of {@code principal}. @throws IllegalArgumentException for a principal not in this set */
    public String password(String principal) {
        String password = passwords.get(principal);
        if (password == null) {
            throw new IllegalArgumentException("no Kafka credentials for " + principal);
        }
        return password;
    }

    /** Every principal but {@value #ADMIN}, with its password: the SCRAM users to create. */
    public Map<String, String> scramUsers() {
        Map<String, String> users = new LinkedHashMap<>(passwords);
        users.remove(ADMIN);
        return users;
    }

    /**
     * What a Kafka client authenticating as {@code principal} sets, besides {@code bootstrap.servers}:
     * {@code security.protocol}, {@code sasl.mechanism}, {@code sasl.jaas.config}.
     */
    public Map<String, String> clientProperties(String principal) {
        boolean admin = ADMIN.equals(principal);
        String module = admin ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                : "org.apache.kafka.common.security.scram.ScramLoginModule";
        return Map.of(
                "security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", admin ? "PLAIN" : SCRAM_MECHANISM,
                "sasl.jaas.config", jaas(module, principal, password(principal)));
    }

    /** As {@link #clientProperties}, with SASL/PLAIN: for clients that cannot do SCRAM (librdkafka before 2.6.1). */
    public Map<String, String> plainClientProperties(String principal) {
        return Map.of(
                "security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", jaas("org.apache.kafka.common.security.plain.PlainLoginModule", principal,
                        password(principal)));
    }

    static String jaas(String module, String user, String password) {
        return module + " required username=\"" + user + "\" password=\"" + password + "\";";
    }
}
