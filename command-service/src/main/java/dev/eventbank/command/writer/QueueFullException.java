package dev.eventbank.command.writer;

/**
 * The writer of the command's partition already had as many commands waiting as it queues
 * ({@code eventbank.commands.max-queued}): the command was refused before it was queued, so it was not decided and
 * nothing of it was appended. Load shedding: the client may send it again later (answered 503 with
 * {@code Retry-After}), with or without an {@code Idempotency-Key}.
 */
public final class QueueFullException extends RuntimeException {

    public QueueFullException(String message) {
        super(message, null, false, false);
    }
}
