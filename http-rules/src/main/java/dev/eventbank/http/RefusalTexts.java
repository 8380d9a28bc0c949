package dev.eventbank.http;

/**
 * The words of two refusals that every HTTP service and the schema registry make, and how a client's bytes are
 * quoted in them, each in its own error shape (RFC
 * 9457 problem details for the services, Confluent's {@code {"error_code","message"}} for the registry): kept here so
 * that they say the same thing everywhere.
 */
public final class RefusalTexts {

    private RefusalTexts() {
    }

    /**
     * For a request Netty's HTTP decoder refused (a malformed request line, a header line without a colon), where
     * Micronaut says only "Bad Request".
     *
     * @param quotedReason the decoder's reason (its exception's message), already made safe to show: it may quote the
     *                     client's bytes
     * @return e.g. "the request is not valid HTTP/1.1 (No colon found): check its request line and header fields (RFC
     *     9112)"
     */
    public static String notValidHttp(String quotedReason) {
        return "the request is not valid HTTP/1.1 (" + quotedReason + "): check its request line and header fields "
                + "(RFC 9112)";
    }

    /**
     * For a request Micronaut's CORS filter refused with a bare 403: with no CORS configured it refuses a request
     * whose {@code Origin} is not localhost to a server reached on localhost (its protection against drive-by-localhost
     * attacks).
     *
     * @param quotedOrigin the request's {@code Origin}, already made safe to show
     */
    public static String crossOriginRefused(String quotedOrigin) {
        return "cross-origin requests are refused (Origin '" + quotedOrigin + "'): this API sets no CORS policy; call "
                + "it from a server, or from a page it serves itself";
    }

    /**
     * {@code text} with every character outside printable ASCII shown as {@code ?}, cut to {@code max} characters
     * ("..." when cut): for quoting a client's bytes in a message, which goes to logs and terminals too.
     */
    public static String printable(String text, int max) {
        String shown = text.replaceAll("[^\\x20-\\x7e]", "?");
        return shown.length() <= max ? shown : shown.substring(0, max) + "...";
    }
}
