package dev.eventbank.http;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AcceptNegotiationTest {

    private static final List<String> JSON = List.of("application/json");
    private static final List<String> REGISTRY = List.of("application/vnd.schemaregistry.v1+json",
            "application/vnd.schemaregistry+json", "application/json");

    private static AcceptNegotiation.Outcome json(String... lines) {
        return AcceptNegotiation.negotiate(List.of(lines), JSON);
    }

    private static AcceptNegotiation.Outcome rewritten(String accept) {
        return new AcceptNegotiation.Rewritten(accept);
    }

    @Test
    void plainHeadersAreLeftAlone() {
        assertEquals(new AcceptNegotiation.Unchanged(), json());
        assertEquals(new AcceptNegotiation.Unchanged(), json("*/*"));
        assertEquals(new AcceptNegotiation.Unchanged(), json("application/json"));
        assertEquals(new AcceptNegotiation.Unchanged(), json("text/html"));
        assertEquals(new AcceptNegotiation.Unchanged(), json("application/vnd.eventbank.avro"));
    }

    @Test
    void aSubtypeWildcardAcceptsJson() {
        assertEquals(rewritten("application/json, application/*"), json("application/*"));
        assertEquals(rewritten("application/json, text/html, application/*"), json("application/*;q=0.5, text/html"));
    }

    @Test
    void weightsAndOtherParametersNeverReachTheResponseType() {
        assertEquals(rewritten("application/json"), json("application/json;q=0.9"));
        assertEquals(rewritten("application/json"), json("APPLICATION/JSON"));
        assertEquals(rewritten("application/json"), json("application/json; charset=utf-8"));
        assertEquals(rewritten("application/json"), json("application/json;q=1.000"));
        assertEquals(new AcceptNegotiation.Unchanged(), json("application/json, text/plain, */*"));
    }

    @Test
    void qZeroMeansNotAcceptable() {
        assertEquals(new AcceptNegotiation.NoneAcceptable(), json("*/*;q=0"));
        assertEquals(new AcceptNegotiation.NoneAcceptable(), json("application/json;q=0"));
        assertEquals(new AcceptNegotiation.NoneAcceptable(), json("application/json;q=0.000"));
        // the most specific range decides: the full wildcard must not let the excluded type through
        assertEquals(new AcceptNegotiation.NoneAcceptable(), json("*/*, application/json;q=0"));
        assertEquals(rewritten("application/json"), json("*/*;q=0, application/json"));
        assertEquals(rewritten("application/json, application/*, */*"),
                json("*/*;q=0.1, application/*;q=0.5, application/json;q=0.9"));
        // another type is still acceptable: the router answers 406 for a JSON route, serves it where it is produced
        assertEquals(rewritten("text/html"), json("application/json;q=0, text/html"));
    }

    @Test
    void repeatedLinesAreOneList() {
        assertEquals(rewritten("application/json, text/html"), json("text/html;q=0.5", "application/json"));
        assertEquals(new AcceptNegotiation.NoneAcceptable(), json("*/*;q=0", "application/json;q=0"));
    }

    @Test
    void theServersPreferenceBreaksTies() {
        assertEquals(rewritten("application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, "
                + "application/json, application/*"), AcceptNegotiation.negotiate(List.of("application/*"), REGISTRY));
        assertEquals(rewritten("application/json, application/vnd.schemaregistry.v1+json, "
                        + "application/vnd.schemaregistry+json, */*"),
                AcceptNegotiation.negotiate(List.of("application/json, */*;q=0.8"), REGISTRY));
        assertEquals(rewritten("application/vnd.schemaregistry+json, application/json"),
                AcceptNegotiation.negotiate(List.of("application/*;q=0.5, application/vnd.schemaregistry.v1+json;q=0, "
                        + "application/vnd.schemaregistry+json"), REGISTRY));
    }

    @Test
    void aTypeTheClientNamesBeatsOneItAcceptsThroughAWildcard() {
        // axios' header is plain: left as it was, and Micronaut answers the type it names first
        assertEquals(new AcceptNegotiation.Unchanged(),
                AcceptNegotiation.negotiate(List.of("application/json, text/plain, */*"), REGISTRY));
        assertEquals(rewritten("application/json, application/vnd.schemaregistry.v1+json, "
                        + "application/vnd.schemaregistry+json, */*"),
                AcceptNegotiation.negotiate(List.of("application/json;q=1, */*"), REGISTRY));
    }

    @Test
    void parametersMakeARangeLessDecisiveThanTheTypeItselfAndStayOnOtherTypes() {
        assertEquals(rewritten("application/json"), json("application/json;charset=utf-8;q=0, application/json"));
        assertEquals(rewritten("application/json"), json("application/json;charset=utf-8"));
        // Prometheus parses the version it asked for in the answer's Content-Type: kept on types not ours
        assertEquals(new AcceptNegotiation.Unchanged(), json("text/plain;version=0.0.4"));
        assertEquals(rewritten("application/json, application/openmetrics-text;version=1.0.0, "
                        + "application/openmetrics-text;version=0.0.1, text/plain;version=0.0.4, */*"),
                json("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                        + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"));
        // empty parameters are allowed (RFC 9110 section 5.6.6)
        assertEquals(new AcceptNegotiation.NoneAcceptable(), json("*/*;q=0;"));
        assertEquals(rewritten("application/json"), json("application/json;"));
    }

    @Test
    void whatIsNotAListOfMediaRangesIsDisregardedWhenItHasParametersOrWildcards() {
        // a quoted string left open, a weight given twice or out of range, a space in a value, too many elements:
        // removed, so the answer is the service's own type (Micronaut echoed "application/json;q=2" as Content-Type)
        for (String header : List.of("text/html;a=b\"c, application/json", "application/json;x=\"a, text/html",
                "application/json;q=1;q=0", "application/json;x=a b", "text/html, application/*"
                        + ", a/b".repeat(AcceptNegotiation.MAX_ELEMENTS), "application/json;q=2",
                "application/json;q=1.5", "application/json;q=-1", "application/json;q=1.0001",
                "application/json;q=0.0001", "application/json;q=", "application/json;=1", "application/json;q=abc")) {
            assertEquals(new AcceptNegotiation.Disregarded(), json(header), header);
        }
        // no parameter, no wildcard, no upper case: nothing Micronaut could echo, left to the router as it was
        for (String header : List.of("json", "application/", "/json", "*/json", "a/b c", "\u00e9/x", ",")) {
            assertEquals(new AcceptNegotiation.Unchanged(), json(header), header);
        }
        assertEquals(rewritten("application/json"), json("application/json;note=\"a, b; c\";q=0.5"));
        assertEquals(rewritten("application/json"), json(", application/json;q=0.5,"));
    }
}
