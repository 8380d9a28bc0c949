package dev.eventbank.http;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads an {@code Accept} header as RFC 9110 section 12.5.1 defines it and rewrites it into the plain list of media
 * types Micronaut's router understands. Why our own: Micronaut (4.10) matches {@code Accept} by equality of the type
 * alone, so {@code application/*} was a 406 on every JSON route, {@code q=0} ("not acceptable", section 12.4.2) was
 * ignored, and the accepted type it chose was echoed as the response's {@code Content-Type} with its weight
 * ({@code Content-Type: application/json;q=0.9}, no media type a client can parse as such).
 *
 * <p>The rules: each element is a media range ({@code type/subtype}, {@code type/*} or {@code *}{@code /*}), its
 * parameters, and at most one weight {@code q} (0 to 1, at most three decimals; absent = 1). An offered type (the
 * server's, without parameters) takes the weight of the most specific range that matches it: the type itself without
 * parameters, then the type with parameters (we answer {@code application/json} in UTF-8, so
 * {@code application/json;charset=utf-8} is taken as asking for it), then {@code type/*}, then {@code *}{@code /*};
 * the first of equally specific ones. A weight of 0 means not acceptable.
 *
 * <p>The rewritten header lists the acceptable offered types first, by weight, then by how specific the range that
 * decided it is (a type the client names beats one it accepts through a wildcard), then in the server's order of
 * preference; then the client's other ranges with a weight above 0, highest first, with their parameters but without
 * the weight (for routes that produce something else: Prometheus text, static files), leaving out a wildcard that
 * would let an excluded offered type through. All in lower case.
 *
 * <p>Left as it is, for Micronaut to answer as before: no header, and a header without parameters, wildcards or upper
 * case (nothing to rewrite). Disregarded, so that the answer is the service's own type (RFC 9110 section 12.5.1 lets
 * a server disregard an {@code Accept} it cannot satisfy; one it cannot read is treated alike): a header that is not a list of valid media ranges (a range not of tokens, a
 * parameter that is not {@code token=token} or {@code token="quoted string"}, a weight out of range, e.g.
 * {@code q=2}, or given twice), and one of more than {@value #MAX_ELEMENTS} elements (it runs on every request: a bound
 * on its work). Left to Micronaut, such a header's first type was echoed with its parameters as the
 * {@code Content-Type} ({@code application/json;q=2}).
 */
public final class AcceptNegotiation {

    /** A header of more elements than this is disregarded: no client sends so many, and each costs a parse. */
    static final int MAX_ELEMENTS = 64;

    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern QUOTED = Pattern.compile("\"(?:[\\t !#-\\[\\]-~\\x80-\\xFF]|\\\\[\\t -~\\x80-\\xFF])*\"");
    private static final Pattern QVALUE = Pattern.compile("0(\\.[0-9]{0,3})?|1(\\.0{0,3})?");

    /** What to do with a request's {@code Accept}. */
    public sealed interface Outcome {
    }

    /** Leave the header as it is (absent, or already plain). */
    public record Unchanged() implements Outcome {
    }

    /** Remove the header: it is not a valid list of media ranges, or too long a one; answer as if it were absent. */
    public record Disregarded() implements Outcome {
    }

    /** Replace the header by {@code accept}. */
    public record Rewritten(String accept) implements Outcome {
    }

    /** Nothing the header names is acceptable: every range has weight 0, or excludes what it would match. */
    public record NoneAcceptable() implements Outcome {
    }

    /** One element: {@code parameters} is {@code ""} or {@code ";name=value..."} without the weight. */
    private record Range(String type, String subtype, String parameters, int milliQ) {

        boolean matches(String offeredType, String offeredSubtype) {
            return type.equals("*") || type.equals(offeredType) && (subtype.equals("*") || subtype.equals(offeredSubtype));
        }

        /** 4 for the type itself, 3 for the type with parameters, 2 for type/*, 1 for the full wildcard. */
        int specificity() {
            return type.equals("*") ? 1 : subtype.equals("*") ? 2 : parameters.isEmpty() ? 4 : 3;
        }

        String text() {
            return type + "/" + subtype + parameters;
        }
    }

    /** An offered type with the weight and the specificity of the range that decided it. */
    private record Weighed(String type, int milliQ, int specificity, int preference) {
    }

    private AcceptNegotiation() {
    }

    /**
     * @param acceptLines the request's {@code Accept} header lines (a repeated header is one comma-separated list,
     *                    RFC 9110 section 5.3); empty for none
     * @param offered     the types the service answers with, most preferred first, lower case, without parameters
     *                    (e.g. {@code application/json})
     * @return what to do with the header; never null
     */
    public static Outcome negotiate(List<String> acceptLines, List<String> offered) {
        if (acceptLines.isEmpty()) {
            return new Unchanged();
        }
        String joined = String.join(", ", acceptLines);
        if (plain(joined)) {
            return new Unchanged();
        }
        List<Range> ranges = parse(joined);
        if (ranges == null) {
            return new Disregarded();
        }
        List<Weighed> acceptable = new ArrayList<>();
        List<String> excluded = new ArrayList<>();
        for (int i = 0; i < offered.size(); i++) {
            String[] parts = offered.get(i).split("/", 2);
            Range decisive = decisive(ranges, parts[0], parts[1]);
            if (decisive != null && decisive.milliQ() > 0) {
                acceptable.add(new Weighed(offered.get(i), decisive.milliQ(), decisive.specificity(), i));
            } else {
                excluded.add(offered.get(i));
            }
        }
        acceptable.sort(Comparator.comparingInt((Weighed w) -> -w.milliQ()).thenComparingInt(w -> -w.specificity())
                .thenComparingInt(Weighed::preference));
        Set<String> result = new LinkedHashSet<>();
        acceptable.forEach(w -> result.add(w.type()));
        List<Range> others = new ArrayList<>(ranges);
        others.sort(Comparator.comparingInt((Range r) -> -r.milliQ()));
        for (Range range : others) {
            boolean letsExcludedThrough = excluded.stream().anyMatch(type -> {
                String[] parts = type.split("/", 2);
                return range.matches(parts[0], parts[1]);
            });
            // an offered type is listed once, as itself (with parameters Micronaut would echo them)
            boolean offeredType = offered.contains(range.type() + "/" + range.subtype());
            if (range.milliQ() > 0 && !letsExcludedThrough && !offeredType) {
                result.add(range.text());
            }
        }
        if (result.isEmpty()) {
            return new NoneAcceptable();
        }
        String rewritten = String.join(", ", result);
        return rewritten.equals(joined) ? new Unchanged() : new Rewritten(rewritten);
    }

    /** Nothing to rewrite: no parameter (so no weight), no {@code type/*} (the full wildcard is fine), no upper case. */
    private static boolean plain(String header) {
        for (int i = 0; i < header.length(); i++) {
            char c = header.charAt(i);
            if (c == ';' || c >= 'A' && c <= 'Z' || c == '/' && i + 1 < header.length() && header.charAt(i + 1) == '*'
                    && (i == 0 || header.charAt(i - 1) != '*')) {
                return false;
            }
        }
        return true;
    }

    /** The most specific range matching the type (the first of equally specific ones), or null when none does. */
    private static Range decisive(List<Range> ranges, String type, String subtype) {
        Range best = null;
        for (Range range : ranges) {
            if (range.matches(type, subtype) && (best == null || range.specificity() > best.specificity())) {
                best = range;
            }
        }
        return best;
    }

    /** The ranges of the header, or null if it is not a list of valid media ranges, or too long a one. */
    private static List<Range> parse(String header) {
        List<String> elements = splitOutsideQuotes(header, ',');
        if (elements == null || elements.size() > MAX_ELEMENTS) {
            return null;
        }
        List<Range> ranges = new ArrayList<>();
        for (String element : elements) {
            String trimmed = element.strip();
            if (trimmed.isEmpty()) {
                // RFC 9110 section 5.6.1: empty list elements are allowed and do not count
                continue;
            }
            List<String> parts = splitOutsideQuotes(trimmed, ';');
            String[] typeAndSubtype = parts.get(0).strip().toLowerCase(Locale.ROOT).split("/", -1);
            if (typeAndSubtype.length != 2 || !TOKEN.matcher(typeAndSubtype[0]).matches()
                    || !TOKEN.matcher(typeAndSubtype[1]).matches()
                    || typeAndSubtype[0].equals("*") && !typeAndSubtype[1].equals("*")) {
                return null;
            }
            Integer milliQ = null;
            StringBuilder parameters = new StringBuilder();
            for (String parameter : parts.subList(1, parts.size())) {
                if (parameter.isBlank()) {
                    // RFC 9110 section 5.6.6: parameters = *( OWS ";" OWS [ parameter ] )
                    continue;
                }
                String[] nameAndValue = parameter.strip().split("=", 2);
                if (nameAndValue.length != 2 || !TOKEN.matcher(nameAndValue[0]).matches()
                        || !TOKEN.matcher(nameAndValue[1]).matches() && !QUOTED.matcher(nameAndValue[1]).matches()) {
                    return null;
                }
                String name = nameAndValue[0].toLowerCase(Locale.ROOT);
                if (name.equals("q")) {
                    if (milliQ != null || !QVALUE.matcher(nameAndValue[1]).matches()) {
                        return null;
                    }
                    milliQ = (int) Math.round(Double.parseDouble(nameAndValue[1]) * 1000);
                } else {
                    parameters.append(';').append(name).append('=').append(nameAndValue[1]);
                }
            }
            ranges.add(new Range(typeAndSubtype[0], typeAndSubtype[1], parameters.toString(),
                    milliQ == null ? 1000 : milliQ));
        }
        return ranges.isEmpty() ? null : ranges;
    }

    /** The parts between separators outside quoted strings; null when a quoted string is left open. */
    private static List<String> splitOutsideQuotes(String text, char separator) {
        List<String> parts = new ArrayList<>();
        int start = 0;
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == separator && !quoted) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        if (quoted) {
            return null;
        }
        parts.add(text.substring(start));
        return parts;
    }
}
