package dev.eventbank.command.routing;

/**
 * The owner of a command's partition refused a forwarded command before deciding it, so nothing of it was applied;
 * the forwarding instance answers its client this problem (RFC 9457 members) instead of "outcome unknown":
 * <ul>
 *   <li>the client's own mistake as the owner found it, with the owner's status (400, 401 or 403), type, title and
 *       detail: a token that expired in flight, or one the owner does not accept;</li>
 *   <li>503 {@code /problems/unavailable} when the owner refused this instance's credential: the instances'
 *       {@code eventbank.security.internal.*} differ, an operator's fault, not the client's.</li>
 * </ul>
 */
public final class OwnerRefusedException extends RuntimeException {

    private final int status;
    private final String type;
    private final String title;

    /**
     * @param status the HTTP status to answer the client
     * @param type   the problem type URI ({@code ProblemTypes})
     * @param title  the problem title
     * @param detail the problem detail: what the client (or the operator) should do
     */
    public OwnerRefusedException(int status, String type, String title, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }
}
