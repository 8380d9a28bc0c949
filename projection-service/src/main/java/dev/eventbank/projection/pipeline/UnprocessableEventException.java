package dev.eventbank.projection.pipeline;

/**
 * An event that decoded fine but that the projection cannot apply without guessing (version gap, unknown
 * account, ...). Never thrown out of the topology: it names the reason in the dead-letter headers.
 */
public final class UnprocessableEventException extends RuntimeException {

    public UnprocessableEventException(String message) {
        super(message);
    }
}
