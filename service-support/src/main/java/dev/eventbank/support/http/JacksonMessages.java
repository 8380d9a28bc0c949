package dev.eventbank.support.http;

import java.util.regex.Pattern;

/**
 * Jackson's error messages for a malformed JSON body, made about the body: Jackson appends and embeds where its
 * parser was reading from, "at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1,
 * column: 2]" and "(start marker at [Source: ...; line: 1, column: 1])", which names Jackson's settings (or, with
 * the source included, echoes the body) and tells the client nothing it can act on; a caller that wants the
 * position gives it from {@code JsonProcessingException.getLocation()} in its own words.
 *
 * <p>A limit's message names the limit and drops the Jackson setting it comes from ("exceeds the maximum allowed
 * (1000)", not "(1000, from `StreamReadConstraints.getMaxNestingDepth()`)"), and a refused construct drops the parser
 * feature that would accept it ("Non-standard token 'NaN' (not JSON)", not "...: enable
 * `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow"; a comment: "JSON has no comments"): a client cannot change
 * our parser.
 *
 * <p>Limits: only the {@code [Source: ...]} parts are removed, up to the first {@code ]} (Jackson's own text has
 * none inside), the {@code , from `...`} of a limit and the feature hints above (jackson-core 2.22's wording); the
 * rest of Jackson's wording is kept as it is.
 */
public final class JacksonMessages {

    // the bracket last: the first two take the words around a source, the third a bare one
    private static final Pattern START_MARKER = Pattern.compile("\\s*\\(start marker at \\[Source:[^\\]]*\\]\\)");
    private static final Pattern AT_SOURCE = Pattern.compile("\\s*at \\[Source:[^\\]]*\\]");
    private static final Pattern SOURCE = Pattern.compile("\\s*\\[Source:[^\\]]*\\]");
    /** A limit's setting, as in "(1000, from `StreamReadConstraints.getMaxNestingDepth()`)": Jackson's API, not the body's. */
    private static final Pattern SETTING = Pattern.compile(", from `[^`]*`");
    /** A parser feature that would accept it, as in "Non-standard token 'NaN': enable `JsonReadFeature.X` to allow". */
    private static final Pattern FEATURE_HINT = Pattern.compile(": enable `[A-Za-z.]*Feature\\.[A-Z_]+` to allow");
    /** The same for a comment: "maybe a (non-standard) comment? (not recognized as one since Feature '...' not enabled ...)". */
    private static final Pattern COMMENT_HINT = Pattern.compile(" \\(not recognized as one since Feature '[A-Z_]+' not enabled for parser\\)");

    private JacksonMessages() {
    }

    /**
     * {@code message} without Jackson's {@code [Source: ...]} parts and the words that lead to them.
     *
     * @param message a Jackson exception's message ({@code getOriginalMessage()} or {@code getMessage()}); may be null
     * @return the message without them; "" for null
     */
    public static String withoutSource(String message) {
        if (message == null) {
            return "";
        }
        String text = START_MARKER.matcher(message).replaceAll("");
        text = AT_SOURCE.matcher(text).replaceAll("");
        text = SETTING.matcher(text).replaceAll("");
        text = FEATURE_HINT.matcher(text).replaceAll(" (not JSON)");
        text = COMMENT_HINT.matcher(text).replaceAll(" JSON has no comments");
        return SOURCE.matcher(text).replaceAll("");
    }
}
