package dev.eventbank.projection.pipeline;

import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * A read model that follows the account state inside the one fold processor (history, snapshots, bank totals): it
 * sees each event the state fold applied, in log order per account, in the same exactly-once transaction as the state.
 * One instance per stream task (created by the processor supplier), used only by that task's stream thread.
 */
public interface ReadModel {

    /** Takes the task's stores from {@code context}; called once before any event. */
    void init(ProcessorContext<String, ProjectionOutput> context);

    /** Folds one applied event into this read model's store, forwarding what it publishes (when publishing). */
    void apply(AppliedEvent applied);

    /**
     * Forwards once what this task holds, stamped {@code now} (a rebuilt generation's switch), and says how many
     * records it forwarded; by default nothing, answering -1 (a read model that publishes nothing of its own, or
     * whose published values are re-published elsewhere, like the totals after their sum).
     */
    default long republish(long now) {
        return -1;
    }

    /** A short name for log lines ({@code account-history}, ...). */
    String name();
}
