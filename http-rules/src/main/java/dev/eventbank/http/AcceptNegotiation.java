package dev.eventbank.http;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads an {@code Accept} header as RFC 9110 section 12.5.1 defines it and rewrites it into the plain list of media
 * types Micronaut's router understands. Why our own: Micronaut (4.10) matches {@code Accept} by equality of the type
 * alone, so {@code application/*} was a 406 on every JSON route, {@code q=0} ("not acceptable") was ignored, and the
 * first accepted type was echoed as the response's {@code Content-Type} with its parameters
 * ({@code Content-Type: application/json;q=0.9}, which is no media type a client can parse as such).
 *
 * <p>The rules: each media range ({@code type/subtype}, {@code type/*}, {@code *}{@code /*}) with an optional weight
 * {@code q} (0 to 1, at most three decimals; absent = 1) and other parameters, which are ignored. An offered type's
 * weight is that of the most specific range that matches it (the type itself, then {@code type/*}, then
 * {@code *}{@code /*}); a weight of 0 means not acceptable. The rewritten header lists the acceptable offered types,
 * highest weight first (ties in the server's order of preference), then the other ranges whose weight is above 0
 * (for routes that produce something else, such as static files), lower case and without parameters; a wildcard that
 * matches an offered type of weight 0 is left out, so that it does not let that type through.
 *
 * <p>A header that is not a list of valid media ranges is left as it is (Micronaut answers it as before).
 */
public final class AcceptNegotiation {

    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern QVALUE = Pattern.compile("0(\\.[0-9]{0,3})?|1(\\.0{0,3})?");

    /** What to do with a request's {@code Accept}. */
    public sealed interface Outcome {
    }

    /** Leave the header as it is (absent, already plain, or not valid). */
    public record Unchanged() implements Outcome {
    }

    /** Replace the header by {@code accept}. */
    public record Rewritten(String accept) implements Outcome {
    }

    /** Nothing the header names is acceptable: every range has weight 0, or excludes what it would match. */
    public record NoneAcceptable() implements Outcome {
    }

    private record Range(String type, String subtype, int milliQ) {

        boolean matches(String offeredType, String offeredSubtype) {
            return type.equals("*") || type.equals(offeredType) && (subtype.equals("*") || subtype.equals(offeredSubtype));
        }

        /** 2 for type/subtype, 1 for type/*, 0 for the full wildcard. */
        int specificity() {
            return type.equals("*") ? 0 : subtype.equals("*") ? 1 : 2;
        }

        String text() {
            return type + "/" + subtype;
        }
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
        if (acceptLines.size() == 1 && (joined.equals("*/*") || offered.contains(joined))) {
            return new Unchanged();
        }
        List<Range> ranges = parse(joined);
        if (ranges == null) {
            return new Unchanged();
        }
        List<String> result = new ArrayList<>();
        List<int[]> weighted = new ArrayList<>();
        List<String> excluded = new ArrayList<>();
        for (int i = 0; i < offered.size(); i++) {
            String[] parts = offered.get(i).split("/", 2);
            int q = weight(ranges, parts[0], parts[1]);
            if (q > 0) {
                weighted.add(new int[] {q, i});
            } else {
                excluded.add(offered.get(i));
            }
        }
        weighted.sort(Comparator.comparingInt((int[] w) -> -w[0]).thenComparingInt(w -> w[1]));
        weighted.forEach(w -> result.add(offered.get(w[1])));
        List<Range> others = new ArrayList<>(ranges);
        others.sort(Comparator.comparingInt((Range r) -> -r.milliQ()));
        for (Range range : others) {
            boolean letsExcludedThrough = excluded.stream().anyMatch(type -> {
                String[] parts = type.split("/", 2);
                return range.matches(parts[0], parts[1]);
            });
            if (range.milliQ() > 0 && !letsExcludedThrough && !result.contains(range.text())) {
                result.add(range.text());
            }
        }
        if (result.isEmpty()) {
            return new NoneAcceptable();
        }
        String rewritten = String.join(", ", result);
        return rewritten.equals(joined) ? new Unchanged() : new Rewritten(rewritten);
    }

    /** The weight in thousandths of the most specific range matching the type; 0 when none does. */
    private static int weight(List<Range> ranges, String type, String subtype) {
        Range best = null;
        for (Range range : ranges) {
            if (range.matches(type, subtype) && (best == null || range.specificity() > best.specificity())) {
                best = range;
            }
        }
        return best == null ? 0 : best.milliQ();
    }

    /** The ranges of the header, or null if any element is not a valid media range. */
    private static List<Range> parse(String header) {
        List<Range> ranges = new ArrayList<>();
        for (String element : splitOutsideQuotes(header, ',')) {
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
            int milliQ = 1000;
            for (String parameter : parts.subList(1, parts.size())) {
                String[] nameAndValue = parameter.strip().split("=", 2);
                if (nameAndValue.length != 2 || !TOKEN.matcher(nameAndValue[0].strip()).matches()) {
                    return null;
                }
                if (nameAndValue[0].strip().equalsIgnoreCase("q")) {
                    String value = nameAndValue[1].strip();
                    if (!QVALUE.matcher(value).matches()) {
                        return null;
                    }
                    milliQ = (int) Math.round(Double.parseDouble(value) * 1000);
                }
            }
            ranges.add(new Range(typeAndSubtype[0], typeAndSubtype[1], milliQ));
        }
        return ranges.isEmpty() ? null : ranges;
    }

    private static List<String> splitOutsideQuotes(String text, char separator) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted && c == '\\' && i + 1 < text.length()) {
                current.append(c).append(text.charAt(++i));
                continue;
            }
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == separator && !quoted) {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        return parts;
    }
}
