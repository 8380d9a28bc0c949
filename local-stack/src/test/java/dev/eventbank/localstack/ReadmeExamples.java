package dev.eventbank.localstack;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The README's HTTP examples as data: what {@link ReadmeExamplesIT} runs against the local stack and
 * {@link ReadmeExamplesTest} checks without one.
 *
 * <p>An example is a fenced code block right after a marker line {@code <!-- example: NAME -->}. It holds only
 * {@code curl} commands (a trailing {@code \} continues one over lines), each followed by the response it gets, as
 * shell comments:
 * <pre>
 * curl -i -X POST localhost:8080/accounts -H 'Content-Type: application/json' -d '{"owner":"Ada Lovelace",...}'
 * # 201 Created, Location: /accounts/$ID, ETag: "1"
 * # {"accountId":"$ID","version":1}
 * </pre>
 * With {@code -i} the first comment line is the status code, its standard reason phrase and, after commas, the
 * response headers worth showing (a subset: the others are not compared); the remaining lines are the body, which
 * may be broken over several lines anywhere outside a string (continuation lines are joined after their leading
 * blanks). Without {@code -i} all comment lines are the body. In a response, {@code …} stands for any text without
 * a double quote (an id, a time, the rest of a string), and {@code $NAME} for the value of a shell variable: an
 * earlier example's, or, the first time the name appears, whatever is there, which binds it for the examples that
 * follow. Requests use variables as the shell does ({@code 'localhost:8082/accounts/'$ID'?minVersion=4'}).
 *
 * <p>A block may also set a variable to a token, as a user does before the commands that need it:
 * {@code TOKEN=$(bin/dev-token teller)} (the whole line; {@link Step#assignment()}). The test runs that command
 * against its stack's key and binds the variable to what it prints.
 *
 * <p>Limits: only the curl options the README uses ({@code -i}, {@code -s}, {@code -X}, {@code -H}, {@code -d});
 * only single quotes, double quotes with {@code $NAME} inside, and unquoted words; anything else fails the parse,
 * naming the README line.
 */
final class ReadmeExamples {

    /** The text that stands for any run of characters other than a double quote. */
    static final String ANY = "\u2026";

    private static final Pattern MARKER = Pattern.compile("<!--\\s*example:\\s*([a-z0-9-]+)\\s*-->");
    private static final Pattern STATUS_LINE = Pattern.compile("(\\d{3}) ([A-Za-z][A-Za-z ]*?)(, .*)?");
    private static final Pattern HEADER_SPLIT = Pattern.compile(", (?=[A-Za-z][A-Za-z0-9-]*: )");
    private static final Pattern VARIABLE = Pattern.compile("\\$([A-Z][A-Z0-9_]*)");
    /** {@code NAME=$(bin/dev-token ARGS)}: the only command besides curl an example may run. */
    private static final Pattern ASSIGNMENT = Pattern.compile("([A-Z][A-Z0-9_]*)=\\$\\((bin/dev-token( [A-Za-z0-9_.@-]+)+)\\)");
    // what an unbound variable captures: an id, a time, a version; never across a quote, a blank or a separator
    private static final String CAPTURE = "[^\"\\s,&?/]+";
    // the JDK's HttpClient does not expose the reason phrase, so the README's is checked against the standard one
    private static final Map<Integer, String> REASONS = Map.ofEntries(
            Map.entry(200, "OK"), Map.entry(201, "Created"), Map.entry(400, "Bad Request"), Map.entry(401, "Unauthorized"),
            Map.entry(403, "Forbidden"),
            Map.entry(404, "Not Found"), Map.entry(409, "Conflict"), Map.entry(413, "Content Too Large"),
            Map.entry(415, "Unsupported Media Type"), Map.entry(422, "Unprocessable Entity"),
            Map.entry(503, "Service Unavailable"));

    private ReadmeExamples() {
    }

    /** One marked block: its name, the README line of its marker, and its commands in order. */
    record Example(String name, int line, List<Step> steps) {
    }

    /**
     * One curl command of an example and the response the README shows for it; or, with {@code expected} null, a
     * variable set to what a {@code bin/dev-token} command prints ({@link #assignment()}).
     */
    record Step(String example, int line, String command, Expected expected) {

        /** For {@code NAME=$(bin/dev-token ARGS)}: the variable's name and the command's words; else empty. */
        Optional<Map.Entry<String, List<String>>> assignment() {
            Matcher matcher = ASSIGNMENT.matcher(command);
            if (expected != null || !matcher.matches()) {
                return Optional.empty();
            }
            return Optional.of(Map.entry(matcher.group(1), List.of(matcher.group(2).split(" "))));
        }

        /** The request this command sends once {@code variables} are substituted. */
        Request request(Map<String, String> variables) {
            return Request.ofCurl(ShellWords.split(command, variables), line);
        }

        /** Where the README shows it, for failure messages. */
        String where() {
            return "README.md:" + line + " (example " + example + ")";
        }
    }

    /**
     * What a curl command sends.
     *
     * @param includeHeaders {@code -i}: the README shows status and headers, not only the body
     */
    record Request(String method, String url, Map<String, String> headers, String body, boolean includeHeaders) {

        static Request ofCurl(List<String> words, int line) {
            if (words.isEmpty() || !words.get(0).equals("curl")) {
                throw new IllegalArgumentException("README.md:" + line + ": not a curl command: " + words);
            }
            String method = null;
            String url = null;
            String body = null;
            boolean include = false;
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < words.size(); i++) {
                String word = words.get(i);
                switch (word) {
                    case "-i", "-si", "-is" -> include = true;
                    case "-s" -> {
                        // silent: no progress meter, nothing to send
                    }
                    case "-X" -> method = argument(words, ++i, line);
                    case "-H" -> {
                        String header = argument(words, ++i, line);
                        int colon = header.indexOf(':');
                        if (colon < 1) {
                            throw new IllegalArgumentException("README.md:" + line + ": header without a name: " + header);
                        }
                        headers.put(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
                    }
                    case "-d" -> body = argument(words, ++i, line);
                    default -> {
                        if (word.startsWith("-")) {
                            throw new IllegalArgumentException("README.md:" + line + ": curl option " + word
                                    + " is not one ReadmeExamples knows (-i, -s, -X, -H, -d)");
                        }
                        if (url != null) {
                            throw new IllegalArgumentException("README.md:" + line + ": two URLs: " + url + ", " + word);
                        }
                        url = word.contains("://") ? word : "http://" + word;
                    }
                }
            }
            if (url == null) {
                throw new IllegalArgumentException("README.md:" + line + ": curl without a URL");
            }
            if (body != null && headers.keySet().stream().noneMatch("Content-Type"::equalsIgnoreCase)) {
                // what curl sends with -d unless told otherwise
                headers.put("Content-Type", "application/x-www-form-urlencoded");
            }
            return new Request(method != null ? method : body != null ? "POST" : "GET", url, headers, body, include);
        }

        private static String argument(List<String> words, int index, int line) {
            if (index >= words.size()) {
                throw new IllegalArgumentException("README.md:" + line + ": " + words.get(index - 1) + " needs a value");
            }
            return words.get(index);
        }
    }

    /** The response the README shows: status and headers (with {@code -i} only) and the body, as patterns. */
    record Expected(Integer status, List<Map.Entry<String, String>> headers, String body) {

        /** The README's own lines for it, for failure messages. */
        String text() {
            StringBuilder text = new StringBuilder();
            if (status != null) {
                text.append("# ").append(status).append(' ').append(reason(status));
                headers.forEach(header -> text.append(", ").append(header.getKey()).append(": ").append(header.getValue()));
                text.append('\n');
            }
            return text.append("# ").append(body).toString();
        }
    }

    /** The standard reason phrase of {@code status}, as the README writes it. */
    static String reason(int status) {
        return REASONS.getOrDefault(status, "(no reason phrase known for " + status + ")");
    }

    /** The examples of {@code markdown}, in document order. */
    static List<Example> parse(String markdown) {
        List<String> lines = markdown.lines().toList();
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher marker = MARKER.matcher(lines.get(i).trim());
            if (!marker.matches()) {
                continue;
            }
            int markerLine = i + 1;
            int open = i + 1;
            while (open < lines.size() && lines.get(open).isBlank()) {
                open++;
            }
            if (open >= lines.size() || !lines.get(open).startsWith("```")) {
                throw new IllegalArgumentException("README.md:" + markerLine + ": example " + marker.group(1)
                        + " is not followed by a code block");
            }
            int close = open + 1;
            while (close < lines.size() && !lines.get(close).startsWith("```")) {
                close++;
            }
            examples.add(new Example(marker.group(1), markerLine,
                    steps(marker.group(1), lines.subList(open + 1, Math.min(close, lines.size())), open + 2)));
            i = close;
        }
        return examples;
    }

    /** README lines of curl commands in code blocks that no marker makes an example, so no test runs them. */
    static List<Integer> unmarkedCurlLines(String markdown) {
        List<String> lines = markdown.lines().toList();
        List<Integer> unmarked = new ArrayList<>();
        boolean inBlock = false;
        boolean marked = false;
        String lastNonBlank = "";
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("```")) {
                marked = !inBlock && MARKER.matcher(lastNonBlank.trim()).matches();
                inBlock = !inBlock;
            } else if (inBlock && !marked && line.trim().startsWith("curl ")) {
                unmarked.add(i + 1);
            }
            if (!line.isBlank()) {
                lastNonBlank = line;
            }
        }
        return unmarked;
    }

    private static List<Step> steps(String example, List<String> block, int firstLine) {
        List<Step> steps = new ArrayList<>();
        int i = 0;
        while (i < block.size()) {
            String line = block.get(i);
            if (line.isBlank()) {
                i++;
                continue;
            }
            int commandLine = firstLine + i;
            if (ASSIGNMENT.matcher(line.strip()).matches()) {
                steps.add(new Step(example, commandLine, line.strip(), null));
                i++;
                continue;
            }
            if (!line.startsWith("curl ")) {
                throw new IllegalArgumentException("README.md:" + commandLine + ": example " + example
                        + " holds a line that is neither a curl command, its response, nor NAME=$(bin/dev-token ...): "
                        + line);
            }
            StringBuilder command = new StringBuilder(line);
            while (command.toString().endsWith("\\") && i + 1 < block.size()) {
                command.setLength(command.length() - 1);
                command.append(' ').append(block.get(++i).trim());
            }
            i++;
            int responseLine = firstLine + i;
            List<String> response = new ArrayList<>();
            while (i < block.size() && block.get(i).startsWith("#")) {
                response.add(block.get(i));
                i++;
            }
            if (response.isEmpty()) {
                throw new IllegalArgumentException("README.md:" + commandLine + ": example " + example
                        + " shows no response for " + command);
            }
            boolean include = Request.ofCurl(ShellWords.split(command.toString(), null), commandLine).includeHeaders();
            steps.add(new Step(example, commandLine, command.toString(), expected(response, include, responseLine)));
        }
        return steps;
    }

    /** The response shown in {@code comments}, the first of which is README line {@code line}. */
    private static Expected expected(List<String> comments, boolean include, int line) {
        List<String> lines = comments.stream().map(comment -> comment.substring(1)).toList();
        Integer status = null;
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        int bodyFrom = 0;
        if (include) {
            Matcher matcher = STATUS_LINE.matcher(lines.get(0).trim());
            if (!matcher.matches()) {
                throw new IllegalArgumentException("README.md:" + line + ": with -i the response starts with "
                        + "'# <code> <reason>[, Header: value]...', got " + comments.get(0));
            }
            status = Integer.parseInt(matcher.group(1));
            if (!matcher.group(2).equals(REASONS.get(status))) {
                throw new IllegalArgumentException("README.md:" + line + ": the reason phrase of " + status
                        + " is '" + REASONS.get(status) + "', not '" + matcher.group(2) + "'");
            }
            if (matcher.group(3) != null) {
                for (String header : HEADER_SPLIT.split(matcher.group(3).substring(2))) {
                    int colon = header.indexOf(": ");
                    if (colon < 1) {
                        throw new IllegalArgumentException("README.md:" + line + ": not a header: " + header);
                    }
                    headers.add(Map.entry(header.substring(0, colon), header.substring(colon + 2)));
                }
            }
            bodyFrom = 1;
        }
        StringBuilder body = new StringBuilder();
        for (int i = bodyFrom; i < lines.size(); i++) {
            body.append(i == bodyFrom ? lines.get(i).stripLeading() : lines.get(i).strip());
        }
        return new Expected(status, List.copyOf(headers), body.toString().strip());
    }

    /**
     * Matches {@code actual} against the README's {@code expected} text ({@link #ANY} and {@code $NAME} as described
     * above), with {@code variables} bound so far. On a match, variables seen for the first time are added to
     * {@code bound}; otherwise it answers where the first difference is.
     */
    static Optional<String> match(String expected, String actual, Map<String, String> variables,
                                  Map<String, String> bound) {
        List<String> tokens = tokens(expected);
        Map<String, String> groups = new LinkedHashMap<>();
        Matcher matcher = Pattern.compile(regex(tokens, tokens.size(), variables, groups), Pattern.DOTALL).matcher(actual);
        if (matcher.matches()) {
            groups.forEach((name, group) -> bound.put(name, matcher.group(group)));
            return Optional.empty();
        }
        return Optional.of(firstDifference(tokens, actual, variables));
    }

    /** The expected text cut into single literal characters, {@link #ANY} and {@code $NAME} tokens. */
    private static List<String> tokens(String expected) {
        List<String> tokens = new ArrayList<>();
        Matcher variable = VARIABLE.matcher(expected);
        int i = 0;
        while (i < expected.length()) {
            if (expected.startsWith(ANY, i)) {
                tokens.add(ANY);
                i += ANY.length();
            } else if (variable.find(i) && variable.start() == i) {
                tokens.add(variable.group());
                i = variable.end();
            } else {
                tokens.add(expected.substring(i, i + 1));
                i++;
            }
        }
        return tokens;
    }

    private static String regex(List<String> tokens, int count, Map<String, String> variables, Map<String, String> groups) {
        StringBuilder regex = new StringBuilder();
        for (String token : tokens.subList(0, count)) {
            if (token.equals(ANY)) {
                regex.append("[^\"]*");
            } else if (token.length() > 1 && token.startsWith("$")) {
                String name = token.substring(1);
                if (variables.containsKey(name)) {
                    regex.append(Pattern.quote(variables.get(name)));
                } else if (groups.containsKey(name)) {
                    regex.append("\\k<").append(groups.get(name)).append('>');
                } else {
                    // named groups take letters and digits only
                    String group = "v" + groups.size();
                    groups.put(name, group);
                    regex.append("(?<").append(group).append('>').append(CAPTURE).append(')');
                }
            } else {
                regex.append(Pattern.quote(token));
            }
        }
        return regex.toString();
    }

    /** The longest start of the expected text that matches a start of {@code actual}, and what follows in each. */
    private static String firstDifference(List<String> tokens, String actual, Map<String, String> variables) {
        int matched = 0;
        int at = 0;
        for (int count = 1; count <= tokens.size(); count++) {
            Matcher prefix = Pattern.compile(regex(tokens, count, variables, new LinkedHashMap<>()), Pattern.DOTALL)
                    .matcher(actual);
            if (!prefix.lookingAt()) {
                break;
            }
            matched = count;
            at = prefix.end();
        }
        String expectedRest = String.join("", tokens.subList(matched, tokens.size()));
        String actualRest = actual.substring(at);
        return "first difference at character " + at + " of the actual text, after '" + tail(actual.substring(0, at))
                + "':\n    README shows: " + head(expectedRest.isEmpty() ? "(the end)" : expectedRest)
                + "\n    system says:  " + head(actualRest.isEmpty() ? "(the end)" : actualRest);
    }

    private static String tail(String text) {
        return text.length() <= 40 ? text : ANY + text.substring(text.length() - 40);
    }

    private static String head(String text) {
        return text.length() <= 120 ? text : text.substring(0, 120) + ANY;
    }

    /**
     * A shell's word splitting, as far as the README needs it: blanks separate words, {@code '...'} is literal,
     * {@code "..."} and unquoted text expand {@code $NAME}, {@code \} quotes the next character, and an unquoted
     * {@code #} at the start of a word begins a comment.
     */
    static final class ShellWords {

        private ShellWords() {
        }

        /**
         * The words of {@code command}; with {@code variables} null, a variable is kept as written (to parse a
         * command before its variables are known).
         */
        static List<String> split(String command, Map<String, String> variables) {
            List<String> words = new ArrayList<>();
            StringBuilder word = null;
            int i = 0;
            while (i < command.length()) {
                char c = command.charAt(i);
                if (Character.isWhitespace(c)) {
                    if (word != null) {
                        words.add(word.toString());
                        word = null;
                    }
                    i++;
                    continue;
                }
                if (c == '#' && word == null) {
                    break;
                }
                if (word == null) {
                    word = new StringBuilder();
                }
                if (c == '\'') {
                    int end = command.indexOf('\'', i + 1);
                    if (end < 0) {
                        throw new IllegalArgumentException("unterminated ' in: " + command);
                    }
                    word.append(command, i + 1, end);
                    i = end + 1;
                } else if (c == '"') {
                    i++;
                    while (i < command.length() && command.charAt(i) != '"') {
                        char d = command.charAt(i);
                        if (d == '\\' && i + 1 < command.length() && "\"\\$".indexOf(command.charAt(i + 1)) >= 0) {
                            word.append(command.charAt(i + 1));
                            i += 2;
                        } else if (d == '$') {
                            i = expand(command, i, word, variables);
                        } else {
                            word.append(d);
                            i++;
                        }
                    }
                    if (i >= command.length()) {
                        throw new IllegalArgumentException("unterminated \" in: " + command);
                    }
                    i++;
                } else if (c == '\\' && i + 1 < command.length()) {
                    word.append(command.charAt(i + 1));
                    i += 2;
                } else if (c == '$') {
                    i = expand(command, i, word, variables);
                } else {
                    word.append(c);
                    i++;
                }
            }
            if (word != null) {
                words.add(word.toString());
            }
            return words;
        }

        private static int expand(String command, int dollar, StringBuilder word, Map<String, String> variables) {
            Matcher variable = VARIABLE.matcher(command);
            if (!variable.find(dollar) || variable.start() != dollar) {
                word.append('$');
                return dollar + 1;
            }
            String name = variable.group(1);
            if (variables == null) {
                word.append(variable.group());
            } else if (variables.containsKey(name)) {
                word.append(variables.get(name));
            } else {
                throw new IllegalArgumentException("$" + name + " is used before an example binds it");
            }
            return variable.end();
        }
    }
}
