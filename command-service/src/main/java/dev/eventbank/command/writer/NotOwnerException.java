package dev.eventbank.command.writer;

/**
 * This instance does not (or no longer) own the partition a command belongs to; nothing of the command was
 * committed here. The caller asks the partition's current owner.
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
