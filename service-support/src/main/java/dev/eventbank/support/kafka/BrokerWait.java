package dev.eventbank.support.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A service's start waits here for the broker: a service started while the broker was away (a crash of both, or a
 * restart of the service during a broker outage) gave up after 30 to 60 s, and the launcher, like an operator's
 * process manager without a restart policy, left it down after the broker came back. It now retries until the broker
 * answers, one WARN line per attempt of {@value #ATTEMPT_SECONDS} s; only a refusal that waiting cannot fix (failed
 * authentication, a missing ACL) ends the start. A host name that does not resolve is waited for too (a container
 * not started yet has no DNS name).
 *
 * <p>Our own code: Kafka's clients retry each call until their API timeout, then fail; a wait without end belongs to
 * the application's start, not to a client call.
 */
public final class BrokerWait {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerWait.class);

    /** How long one attempt waits for the cluster's answer. */
    static final int ATTEMPT_SECONDS = 30;

    private BrokerWait() {
    }

    /**
     * Returns the cluster's id once the broker answers, waiting as long as it takes. Each attempt makes its own admin
     * client: one made while the broker's host name does not resolve (a container not started yet) fails at once.
     *
     * @param adminConfig the admin client's settings, {@code bootstrap.servers} at least
     * @param purpose     what the start waits to do, for the WARN lines (e.g. "check the topics")
     * @return the cluster id (Kafka's URL-safe base64)
     * @throws IllegalStateException when the broker refuses the client for good (authentication, authorisation), a
     *     setting is wrong, or the thread is interrupted
     */
    public static String clusterId(Map<String, Object> adminConfig, String purpose) {
        Object bootstrapServers = adminConfig.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
        for (int attempt = 1; ; attempt++) {
            try (Admin admin = Admin.create(adminConfig)) {
                String id = admin.describeCluster(new DescribeClusterOptions().timeoutMs(ATTEMPT_SECONDS * 1000))
                        .clusterId().get(ATTEMPT_SECONDS + 5, TimeUnit.SECONDS);
                if (attempt > 1) {
                    LOG.info("broker reachable, starting purpose=\"{}\" attempts={}", purpose, attempt);
                }
                return id;
            } catch (KafkaException e) {
                // Admin.create wraps the ConfigException it gets for bootstrap servers that do not resolve
                if (!unresolved(e)) {
                    throw e;
                }
                waiting(bootstrapServers, purpose, attempt, "no address of the bootstrap servers resolves (yet)", "");
                pause();
            } catch (TimeoutException e) {
                waiting(bootstrapServers, purpose, attempt, "no answer in " + (ATTEMPT_SECONDS + 5) + " s", WRONG_ADDRESS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException)) {
                    throw new IllegalStateException("the broker at " + bootstrapServers + " refused this service: "
                            + e.getCause(), e.getCause());
                }
                waiting(bootstrapServers, purpose, attempt, e.getCause().toString(), WRONG_ADDRESS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the broker at " + bootstrapServers, e);
            }
        }
    }

    private static boolean unresolved(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConfigException && cause.getMessage() != null
                    && cause.getMessage().contains("No resolvable bootstrap urls")) {
                return true;
            }
        }
        return false;
    }

    /** After a failure that comes at once (a name that does not resolve), the time an attempt would have taken. */
    private static void pause() {
        try {
            Thread.sleep(ATTEMPT_SECONDS * 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the broker", e);
        }
    }

    /**
     * A broker that does not answer and a wrong port or {@code security.protocol} look the same from here (the broker
     * drops the connection, and the clients' own disconnect lines are not logged, see logback.xml).
     */
    private static final String WRONG_ADDRESS = " hint=\"a wrong port or security.protocol looks the same\"";

    /** One WARN line per attempt; {@code hint} is empty or a {@code key="..."} pair with a leading blank. */
    private static void waiting(Object bootstrapServers, String purpose, int attempt, String error, String hint) {
        LOG.warn("broker not reachable, the start waits for it purpose=\"{}\" bootstrapServers=\"{}\" attempt={} "
                + "error=\"{}\"{}", purpose, bootstrapServers, attempt, error, hint);
    }
}
