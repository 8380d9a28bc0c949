package dev.eventbank.command.ownership;

import dev.eventbank.support.testing.Await;
import dev.eventbank.support.testing.LogCapture;
import dev.eventbank.testbroker.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link OwnerDirectory} against the real broker. */
class OwnerDirectoryIT {

    private static final Duration WITHIN = Duration.ofSeconds(30);

    @Test
    void shouldTakeAGroupThatDoesNotExistYetForAnAnswerThatNobodyOwnsAnythingNotForAFailedLookup() throws Exception {
        // given: a broker that answers, and a writers' group no instance has joined yet (a new cluster's first start)
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                     TestBroker.shared().bootstrapServers(), AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000,
                     AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000));
             LogCapture log = LogCapture.of(OwnerDirectory.class)) {
            OwnerDirectory directory = new OwnerDirectory(admin, "writers-not-joined-yet-" + UUID.randomUUID());

            // when: a health check starts the read, and it ends
            directory.isBrokerReachable(Duration.ofSeconds(1));
            Await.until(() -> !directory.isReadingInBackground(), "the health check's read to end", WITHIN);

            // then: the broker answered; nobody owns a partition; nothing was logged as a failure
            assertTrue(directory.isBrokerReachable(Duration.ofHours(1)), "the broker answered the read");
            assertFalse(directory.isSettled("http://localhost:1", Set.of(0), 1, Duration.ofHours(1)),
                    "no member owns anything yet");
            assertEquals(0, log.lines("owner lookup failed").size(), log.lines().toString());
        }
    }
}
