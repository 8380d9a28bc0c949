package dev.eventbank.support.http;

import dev.eventbank.support.problem.ProblemException;
import dev.eventbank.support.text.TextRule;
import io.micronaut.http.HttpHeaders;
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
     * The request has no body: no {@code Content-Length} above 0 and no {@code Transfer-Encoding} (a chunked body).
     *
     * @throws ProblemException 400 when it has one
     */
    public static void noBody(HttpRequest<?> request) {
        if (request.getContentLength() > 0 || request.getHeaders().contains(HttpHeaders.TRANSFER_ENCODING)) {
            throw ProblemException.badRequest("this endpoint takes no body; send the request without one");
        }
    }
}
