package dev.eventbank.command.writer;

/**
 * The transaction that held a command failed, or its outcome is not known in time: the command was not
 * acknowledged. Whether it took effect is learned by retrying it with the same {@code Idempotency-Key}, which
 * either returns its outcome or decides it (once).
 */
public final class NotCommittedException extends RuntimeException {

    public NotCommittedException(String message, Throwable cause) {
        super(message, cause);
    }
}
