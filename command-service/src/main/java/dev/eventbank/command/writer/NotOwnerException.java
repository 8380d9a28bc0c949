package dev.eventbank.command.writer;

/**
 * This instance does not (or no longer) own the partition a command belongs to, or its writer there failed before
 * the command's transaction was asked to commit; either way nothing of the command was committed here, and the caller
 * asks again: the partition's current owner, which may be this instance's next writer of the partition.
 */
public final class NotOwnerException extends RuntimeException {

    private final int partition;

    public NotOwnerException(int partition, String message) {
        super(message, null, false, false);
        this.partition = partition;
    }

    public int partition() {
        return partition;
    }
}
