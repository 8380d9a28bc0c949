package dev.eventbank.command.writer;

/**
 * The transaction that held a command failed, or its outcome is not known in time: the command was not
 * acknowledged. Whether it took effect is learned by retrying it with the same {@code Idempotency-Key}, which
 * either returns its outcome or decides it (once).
 *
 * <p>The message reaches the client as the 503 problem's detail ({@code ProblemHandlers}), so it says what happened
 * in the client's terms and never carries internals (the broker's or the registry's errors, an instance's URL):
 * those go to the log line of the place that throws it, and stay in {@link #getCause()}.
 */
public final class NotCommittedException extends RuntimeException {

    private final boolean nothingApplied;

    /**
     * Outcome unknown: the command may or may not have been applied.
     *
     * @param message what happened, for the client (no internals, see above)
     * @param cause   the failure behind it, for the logs; may be null
     */
    public NotCommittedException(String message, Throwable cause) {
        this(message, cause, false);
    }

    /**
     * @param nothingApplied true when nothing of the command can have been applied (its transaction failed before
     *                       its commit was asked for, or it was never decided): the client may send it again as is
     */
    public NotCommittedException(String message, Throwable cause, boolean nothingApplied) {
        super(message, cause);
        this.nothingApplied = nothingApplied;
    }

    /** Whether nothing of the command can have been applied (else its outcome is unknown). */
    public boolean nothingApplied() {
        return nothingApplied;
    }
}
