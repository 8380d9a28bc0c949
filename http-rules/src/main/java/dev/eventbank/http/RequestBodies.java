package dev.eventbank.http;

import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;

/** Whether a request carries a body, by its framing headers (RFC 9112 section 6.3), before anything reads it. */
public final class RequestBodies {

    private RequestBodies() {
    }

    /**
     * @param request the request as received
     * @return true for a {@code Content-Length} above 0 or any {@code Transfer-Encoding} (chunked), false otherwise
     */
    public static boolean hasBody(HttpRequest<?> request) {
        return request.getContentLength() > 0 || request.getHeaders().contains(HttpHeaders.TRANSFER_ENCODING);
    }
}
