package dev.eventbank.localstack;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A schema registry outage after the command service started does not reach its writers. Found by killing the
 * registry under the running local stack: the first deposit with an {@code Idempotency-Key} (the first record of the
 * command outcomes' schema), the first withdrawal and the first close after a start were answered 503 because their
 * transactions failed registering a schema, though once a schema's id is known the registry is not needed. The
 * writers now register their schemas at start (the ids stay cached).
 *
 * <p>Limits: the account is opened before the registry stops (that registers the events' subject anyway); a
 * command service started while the registry is away still needs it at each schema's first use.
 */
class CommandServiceRegistryOutageIT {

    private static LocalStack stack;

    @BeforeAll
    static void startStack() throws IOException {
        stack = LocalStack.startCommandSide(TestStacks.home(), TestStacks.dataDir("CommandServiceRegistryOutageIT"),
                StackPorts.free(), 3, Map.of(), System.out);
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldAcceptEveryKindOfCommandWhileTheRegistryIsAway() throws Exception {
        CommandClient commands = new CommandClient(Duration.ofSeconds(30));
        CommandClient.Answer opened = commands.post(stack.commandUrl() + "/accounts",
                "{\"owner\":\"Grace Hopper\",\"currency\":\"EUR\",\"initialDeposit\":\"0\"}");
        assertEquals(201, opened.status(), opened.body().toString());
        String account = stack.commandUrl() + "/accounts/" + opened.body().path("accountId").asText();

        stack.stopService("schema-registry");
        try {
            CommandClient.Answer deposit = commands.post(account + "/deposits", "{\"amount\":\"5\"}",
                    Map.of("Idempotency-Key", "registry-outage-1"));
            assertEquals(200, deposit.status(), deposit.body().toString());
            CommandClient.Answer withdrawal = commands.post(account + "/withdrawals", "{\"amount\":\"5\"}");
            assertEquals(200, withdrawal.status(), withdrawal.body().toString());
            CommandClient.Answer closed = commands.post(account + "/close", "{}");
            assertEquals(200, closed.status(), closed.body().toString());
            assertEquals(4, closed.version());
            CommandClient.Answer other = commands.post(stack.commandUrl() + "/accounts",
                    "{\"owner\":\"Ada Lovelace\",\"currency\":\"EUR\",\"initialDeposit\":\"1\"}");
            assertEquals(201, other.status(), other.body().toString());
        } finally {
            stack.startService("schema-registry");
        }
    }
}
