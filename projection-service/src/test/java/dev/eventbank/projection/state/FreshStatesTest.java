package dev.eventbank.projection.state;

import dev.eventbank.schemas.readmodel.AccountState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Read-your-writes from the state store: woken by the projection's puts, bounded by the wait. */
class FreshStatesTest {

    private final Map<String, AccountState> store = new ConcurrentHashMap<>();
    private final FreshStates fresh = new FreshStates(10, store::get, null, Runnable::run);

    @Test
    void shouldAnswerAtOnceWhenTheStoreHasTheVersion() {
        put(state("a", 3));

        CompletableFuture<AccountState> read = fresh.atLeast("a", 2, Duration.ofSeconds(5));

        assertEquals(3, read.getNow(null).getVersion());
        assertEquals(0, fresh.waiting());
    }

    @Test
    void shouldAnswerWhenTheProjectionStoresTheVersion() {
        // given
        put(state("a", 1));
        CompletableFuture<AccountState> read = fresh.atLeast("a", 2, Duration.ofSeconds(5));
        boolean doneEarly = read.isDone();

        // when
        put(state("a", 2));

        // then
        assertFalse(doneEarly);
        assertEquals(2, read.getNow(null).getVersion());
        assertEquals(0, fresh.waiting());
    }

    @Test
    void shouldGiveWhatTheStoreHasWhenTheWaitIsUp() throws Exception {
        put(state("a", 1));

        assertEquals(1, fresh.atLeast("a", 2, Duration.ofMillis(50)).get(5, TimeUnit.SECONDS).getVersion());
        assertNull(fresh.atLeast("unknown", 1, Duration.ofMillis(50)).get(5, TimeUnit.SECONDS));
        assertSame(store.get("a"), fresh.atLeast("a", 2, Duration.ZERO).getNow(null), "no wait asked: no wait");
        assertEquals(0, fresh.waiting());
    }

    @Test
    void shouldAnswerAtOnceWithWhatTheStoreHasWhenTooManyReadsWait() {
        // given: as many waiting reads as allowed
        put(state("a", 1));
        for (int i = 0; i < 10; i++) {
            fresh.atLeast("a", 5, Duration.ofSeconds(30));
        }

        // when
        CompletableFuture<AccountState> read = fresh.atLeast("a", 5, Duration.ofSeconds(30));

        // then
        assertEquals(1, read.getNow(null).getVersion());
        assertEquals(10, fresh.waiting());
    }

    private void put(AccountState state) {
        store.put(state.getAccountId(), state);
        fresh.stored(state.getAccountId(), state.getVersion());
    }

    private static AccountState state(String accountId, long version) {
        AccountState state = new AccountState();
        state.setAccountId(accountId);
        state.setVersion(version);
        return state;
    }
}
