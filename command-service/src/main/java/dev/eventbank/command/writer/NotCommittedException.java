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

    /**
     * @param message what happened, for the client (no internals, see above)
     * @param cause   the failure behind it, for the logs; may be null
     */
    public NotCommittedException(String message, Throwable cause) {
        super(message, cause);
    }
}
