package dev.eventbank.command.gateway;

import dev.eventbank.schemas.commands.CommandOutcome;
import dev.eventbank.schemas.commands.CommandResult;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The latest results by command id, for {@code GET /commands/{id}}, plus the ids of commands this instance sent
 * that have no result yet. Bounded: the oldest entries are dropped beyond {@code capacity}.
 *
 * <p>Limits: in memory and per instance, so it is lost on restart and knows only results committed since this
 * instance started (it sees every partition's results, so also those of commands sent to other instances).
 */
public final class RecentResults {

    private final Map<String, CommandResult> results;
    private final Map<String, Boolean> pending;

    public RecentResults(int capacity) {
        this.results = bounded(capacity);
        this.pending = bounded(capacity);
    }

    /** Keeps {@code result}; a KEY_REUSED answer never hides the outcome of the command that owns the id. */
    public synchronized void put(CommandResult result) {
        String commandId = result.getCommandId();
        pending.remove(commandId);
        if (result.getOutcome() == CommandOutcome.KEY_REUSED && results.containsKey(commandId)) {
            return;
        }
        results.put(commandId, result);
    }

    /** Remembers that {@code commandId} was sent from here and is awaited. */
    public synchronized void markPending(String commandId) {
        if (!results.containsKey(commandId)) {
            pending.put(commandId, Boolean.TRUE);
        }
    }

    public synchronized Optional<CommandResult> result(String commandId) {
        return Optional.ofNullable(results.get(commandId));
    }

    public synchronized boolean isPending(String commandId) {
        return pending.containsKey(commandId);
    }

    private static <V> Map<String, V> bounded(int capacity) {
        return new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > capacity;
            }
        };
    }
}
