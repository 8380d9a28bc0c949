package dev.eventbank.support.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A service's start waits here for the broker: a service started while the broker was away (a crash of both, or a
 * restart of the service during a broker outage) gave up after 30 to 60 s, and the launcher, like an operator's
 * process manager without a restart policy, left it down after the broker came back. It now retries until the broker
 * answers, one WARN line per attempt of {@value #ATTEMPT_SECONDS} s; only a refusal that waiting cannot fix (failed
 * authentication, a missing ACL, an unknown host name is retried as DNS may be late) ends the start.
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
     * Returns the cluster's id once the broker answers, waiting as long as it takes.
     *
     * @param admin            a client of the cluster
     * @param bootstrapServers what the client was given, for the WARN lines (never credentials)
     * @param purpose          what the start waits to do, for the WARN lines (e.g. "check the topics")
     * @return the cluster id (Kafka's URL-safe base64)
     * @throws IllegalStateException when the broker refuses the client for good (authentication, authorisation), or
     *     the thread is interrupted
     */
    public static String clusterId(Admin admin, Object bootstrapServers, String purpose) {
        for (int attempt = 1; ; attempt++) {
            try {
                String id = admin.describeCluster(new DescribeClusterOptions().timeoutMs(ATTEMPT_SECONDS * 1000))
                        .clusterId().get(ATTEMPT_SECONDS + 5, TimeUnit.SECONDS);
                if (attempt > 1) {
                    LOG.info("broker reachable, starting purpose=\"{}\" attempts={}", purpose, attempt);
                }
                return id;
            } catch (TimeoutException e) {
                waiting(bootstrapServers, purpose, attempt, "no answer in " + (ATTEMPT_SECONDS + 5) + " s");
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException)) {
                    throw new IllegalStateException("the broker at " + bootstrapServers + " refused this service: "
                            + e.getCause(), e.getCause());
                }
                waiting(bootstrapServers, purpose, attempt, e.getCause().toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the broker at " + bootstrapServers, e);
            }
        }
    }

    private static void waiting(Object bootstrapServers, String purpose, int attempt, String error) {
        LOG.warn("broker not reachable, the start waits for it purpose=\"{}\" bootstrapServers=\"{}\" attempt={} "
                + "error=\"{}\"", purpose, bootstrapServers, attempt, error);
    }
}
