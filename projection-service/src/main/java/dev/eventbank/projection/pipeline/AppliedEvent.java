package dev.eventbank.projection.pipeline;

import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.readmodel.AccountState;
import org.apache.kafka.streams.processor.api.Record;

/**
 * An event the account state fold applied (never a re-delivery, never a dead letter), as the fold processor hands it
 * to the read models that follow the state: the decoded envelope (upcast to the current schema), its original wire
 * bytes, the account's state before (null for the opening) and after it, and where in the log it was read.
 *
 * @param timestamp the input record's timestamp (ms), which everything forwarded for this event carries
 */
public record AppliedEvent(String accountId, BankAccountEvent event, byte[] wire, AccountState before,
                           AccountState after, int partition, long offset, long timestamp) {

    /** A record of {@code output} keyed by the account, with this event's timestamp and no headers. */
    public Record<String, ProjectionOutput> output(ProjectionOutput output) {
        return new Record<>(accountId, output, timestamp);
    }
}
