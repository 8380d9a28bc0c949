package dev.eventbank.support.http;

import dev.eventbank.http.RequestBodies;
import dev.eventbank.support.problem.ProblemException;
import dev.eventbank.support.text.TextRule;
import io.micronaut.http.HttpRequest;

import java.util.Set;

/**
 * The rules for what an endpoint takes besides its path, one for every service: which query parameters, and
 * whether a body. Anything else is a 400 problem ({@link ProblemException#badRequest}) naming it, before the
 * endpoint does anything: an unknown parameter is most often a typo ({@code autoswitch=false} for
 * {@code autoSwitch=false} would start a rebuild that switches by itself, {@code stauts=OPEN} list every account), and
 * a body sent to an endpoint that reads none is a client that means something the endpoint will not do.
 */
public final class RequestRules {

    private RequestRules() {
    }

    /**
     * The request's query may hold only {@code names}, each at most once. Each parameter of our APIs has one value;
     * Micronaut binds repeated values to a {@code String} joined with commas, which would be read as one value
     * ({@code after=A&after=B} as the cursor "A,B").
     *
     * @param names the parameters the endpoint takes; none for an endpoint that takes none
     * @throws ProblemException 400, naming the first parameter not in {@code names} (and listing those that are),
     *                          or the first given more than once
     */
    public static void onlyParameters(HttpRequest<?> request, String... names) {
        // its percent-encoded bytes were checked as UTF-8 before routing (RequestHeadFilter)
        Set<String> known = Set.of(names);
        for (String given : request.getParameters().names()) {
            if (!known.contains(given)) {
                throw ProblemException.badRequest("unknown query parameter '" + TextRule.quote(given, 40) + "': "
                        + (names.length == 0 ? "this endpoint takes none" : "this endpoint takes " + String.join(", ", names)));
            }
        }
        for (String name : names) {
            int given = request.getParameters().getAll(name).size();
            if (given > 1) {
                throw ProblemException.badRequest(name + " must be given at most once, got it " + given + " times");
            }
        }
    }

    /**
     * The request has no body ({@link RequestBodies#hasBody}).
     *
     * @throws ProblemException 400 when it has one
     */
    public static void noBody(HttpRequest<?> request) {
        if (RequestBodies.hasBody(request)) {
            throw ProblemException.badRequest("this endpoint takes no body; send the request without one");
        }
    }

    /**
     * What is wrong with a header value that should be 1 to n visible ASCII characters (an id or a key): its first
     * byte that is not one, or else its length, for a 400's detail ("got the byte 0xC3 at position 1", "got 201
     * characters"). A header value arrives as bytes (Netty reads them as ISO-8859-1), so a non-ASCII character is named
     * by its bytes, never counted as characters: "é" sent in UTF-8 is two bytes, and was reported as "2 characters".
     *
     * @param value the header's value as received, not null
     */
    public static String headerValueFault(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= 0x20 || c >= 0x7F) {
                return (c == ' ' ? "a space" : String.format("the byte 0x%02X", (int) c)) + " at position " + (i + 1);
            }
        }
        return value.isEmpty() ? "an empty value" : value.length() + " characters";
    }
}
