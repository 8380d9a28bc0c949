package dev.eventbank.support.text;

/**
 * The one rule for every free text the API takes ({@code owner}, {@code reference}, {@code reason},
 * {@code accountNumber}, {@code email}, the query service's {@code owner} filter, ...), so that no field lets in
 * what another refuses. A text, once stripped of leading and trailing white space ({@link String#strip()}):
 * <ol>
 *   <li>is at most {@code maxLength} characters long, counted in Unicode code points (what a person calls a
 *       character: one emoji or one CJK Extension B ideograph counts 1, not the 2 UTF-16 units Java's
 *       {@link String#length()} counts);</li>
 *   <li>contains no lone surrogate ({@code "\ud800"} escaped in JSON): it is no character, and UTF-8 cannot encode
 *       it (RFC 8259 section 8.2, RFC 3629 section 3);</li>
 *   <li>contains no control character (Unicode category Cc: NUL, ESC of ANSI sequences, CR, LF, TAB, DEL, C1),
 *       no line or paragraph separator (U+2028, U+2029), no bidirectional embedding, override or isolate control
 *       (U+202A..U+202E, U+2066..U+2069, which can make a text display other than it reads: CVE-2021-42574) and no
 *       noncharacter (U+FDD0..U+FDEF, U+xFFFE, U+xFFFF): these break logs, terminals and displays, never a name;</li>
 *   <li>is not blank: at least one character must be visible, so a text of only white space, format characters
 *       (category Cf: zero-width space U+200B, BOM U+FEFF, ...), lone combining marks, Hangul fillers or the blank
 *       Braille pattern U+2800 is refused.</li>
 * </ol>
 * Letters, digits, punctuation and symbols of any script, emoji (with their zero-width joiners) and inner spaces
 * are all allowed. A field may add its own format on top (an account number's letters, an e-mail address).
 *
 * <p>Limits: no Unicode normalization is applied (a text is stored as sent; {@code "é"} precomposed and decomposed
 * are two different owners); unassigned code points are allowed, since the Unicode version of the JVM lags the
 * clients'. The same rule is documented in {@code docs/problems.md} and the README.
 */
public final class TextRule {

    private TextRule() {
    }

    /**
     * Checks {@code text} against the rule.
     *
     * @param field     the field's name, for the message ({@code owner})
     * @param text      the text as received, not null
     * @param maxLength the most code points allowed after stripping
     * @return the text stripped of leading and trailing white space
     * @throws InvalidText with a message that names the field and says what is wrong, where and what is allowed
     */
    public static String check(String field, String text, int maxLength) {
        return check(field, text, maxLength, true);
    }

    /**
     * Checks a query parameter's {@code text} against the rule: its control characters are refused wherever they are
     * (docs/problems.md), where {@link #check(String, String, int)} strips a TAB or LF at an end as the white space it
     * is ({@code owner=%09Ada} filtered on "Ada"); then the rule applies to the text stripped of white space, as to
     * the texts it stores (an owner opened as "\u3000Zen" is stored as "Zen" and found by the filter it was opened
     * with), its length counted without the spaces.
     *
     * @return the text stripped of leading and trailing white space
     * @throws InvalidText as {@link #check(String, String, int)}
     */
    public static String checkParameter(String field, String text, int maxLength) {
        return check(field, check(field, text, Integer.MAX_VALUE, false), maxLength);
    }

    /** {@link #check(String, String, int)}, with or without stripping white space from the text's ends first. */
    private static String check(String field, String text, int maxLength, boolean stripWhiteSpace) {
        String stripped = stripWhiteSpace ? text.strip() : text;
        for (int i = 0; i < stripped.length(); ) {
            int codePoint = stripped.codePointAt(i);
            String refused = refused(codePoint);
            if (refused != null) {
                throw new InvalidText(field + " must not contain " + refused + " (found "
                        + String.format("U+%04X", codePoint) + " at character " + (stripped.codePointCount(0, i) + 1)
                        + "); see the text rule in docs/problems.md");
            }
            i += Character.charCount(codePoint);
        }
        if (stripped.codePoints().noneMatch(TextRule::visible)) {
            throw new InvalidText(field + " must not be blank: it needs at least one visible character, not only "
                    + "spaces or invisible characters such as U+200B");
        }
        int length = length(stripped);
        if (length > maxLength) {
            throw new InvalidText(field + " must be at most " + maxLength + " characters, got " + length);
        }
        return stripped;
    }

    /** The length of {@code text} in characters as this rule counts them: Unicode code points. */
    public static int length(String text) {
        return text.codePointCount(0, text.length());
    }

    /**
     * {@code text} cut to at most {@code max} code points, with "..." when cut, for quoting a client's input in a
     * message without splitting a surrogate pair; control characters are shown as {@code <U+XXXX>} so a message never
     * carries them into a log or a terminal.
     */
    public static String quote(String text, int max) {
        StringBuilder quoted = new StringBuilder();
        int count = 0;
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            if (count == max) {
                return quoted.append("...").toString();
            }
            if (refused(codePoint) != null) {
                // in angle brackets: "U+00005" would read as one code point, not NUL then "5"
                quoted.append(String.format("<U+%04X>", codePoint));
            } else {
                quoted.appendCodePoint(codePoint);
            }
            count++;
            i += Character.charCount(codePoint);
        }
        return quoted.toString();
    }

    private static String refused(int codePoint) {
        if (Character.isSurrogate((char) codePoint) && codePoint <= 0xFFFF) {
            return "a lone surrogate, which is no character (RFC 8259 section 8.2)";
        }
        if (Character.getType(codePoint) == Character.CONTROL) {
            return "control characters such as line breaks, tabs, NUL or escape sequences";
        }
        if (codePoint == 0x2028 || codePoint == 0x2029) {
            return "line or paragraph separators";
        }
        if ((codePoint >= 0x202A && codePoint <= 0x202E) || (codePoint >= 0x2066 && codePoint <= 0x2069)) {
            return "bidirectional control characters";
        }
        if ((codePoint >= 0xFDD0 && codePoint <= 0xFDEF) || (codePoint & 0xFFFE) == 0xFFFE) {
            return "Unicode noncharacters";
        }
        return null;
    }

    private static boolean visible(int codePoint) {
        if (Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint)) {
            return false;
        }
        int type = Character.getType(codePoint);
        // an unassigned code point counts as visible: it is allowed (a character of a newer Unicode version than the
        // JVM's), and refusing a text of them as "blank" would give a reason that is not the reason
        if (type == Character.FORMAT || type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK) {
            return false;
        }
        // Hangul fillers are letters (category Lo) and the blank Braille pattern a symbol (So) that display as nothing
        return codePoint != 0x115F && codePoint != 0x1160 && codePoint != 0x3164 && codePoint != 0xFFA0
                && codePoint != 0x2800;
    }

    /** A text that breaks the rule; its message is meant for the client (a 400 problem's detail). */
    public static final class InvalidText extends IllegalArgumentException {

        public InvalidText(String message) {
            super(message);
        }
    }
}
