package dev.eventbank.testbroker;

import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * Which Kafka broker the integration tests run against, and why: Testcontainers' {@code apache/kafka} container
 * when a Docker engine answers, the broker from the Kafka jars otherwise, unless the system property
 * {@value #PROPERTY} forces one ({@code container}, {@code jars}; {@code auto}, the default, decides by Docker).
 *
 * <p>A forced {@code container} never falls back to the jars: a machine without Docker then fails at the start,
 * which is what forcing it is for.
 *
 * @param kind   the broker to start
 * @param reason why, in words for the start's log line, e.g. {@code no Docker engine answered}
 */
public record BrokerChoice(Kind kind, String reason) {

    /** The system property that forces a broker: {@code auto} (default), {@code container} or {@code jars}. */
    public static final String PROPERTY = "eventbank.test.broker";

    /** The two ways the fixture starts a real broker. */
    public enum Kind {
        /** Testcontainers' {@code org.testcontainers.kafka.KafkaContainer} with the {@code apache/kafka} image. */
        CONTAINER,
        /** {@code LocalKafkaBroker}: a child JVM from the Kafka jars on the test class path. */
        JARS
    }

    /**
     * Decides the broker.
     *
     * @param requested     the value of {@value #PROPERTY}: {@code auto}, {@code container} or {@code jars}, any case
     *                      and surrounding blanks; {@code null} or blank means {@code auto}
     * @param dockerAnswers whether a Docker engine answers; asked only for {@code auto}
     * @return the broker and the reason
     * @throws IllegalArgumentException for any other value, naming the three that are understood
     */
    public static BrokerChoice decide(String requested, BooleanSupplier dockerAnswers) {
        String value = requested == null || requested.isBlank() ? "auto" : requested.trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "container" -> new BrokerChoice(Kind.CONTAINER, "forced by -D" + PROPERTY + "=container");
            case "jars" -> new BrokerChoice(Kind.JARS, "forced by -D" + PROPERTY + "=jars");
            case "auto" -> dockerAnswers.getAsBoolean()
                    ? new BrokerChoice(Kind.CONTAINER, "a Docker engine answered")
                    : new BrokerChoice(Kind.JARS, "no Docker engine answered");
            default -> throw new IllegalArgumentException(PROPERTY + " must be auto, container or jars, got \""
                    + requested + "\"");
        };
    }
}
