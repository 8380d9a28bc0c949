package dev.eventbank.command.rest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.eventbank.support.http.JacksonMessages;
import dev.eventbank.support.text.TextRule;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The fields of a flat JSON request object, read with Jackson's streaming parser so that numbers become exact
 * {@link BigDecimal}s (never a double) and every mistake becomes a 400 {@link CommandProblem} whose detail says
 * which field is wrong and what is expected. Unknown fields and duplicate fields are refused: a misspelt
 * {@code "ammount"} must not pass as a missing optional field. Every text field follows service-support's one
 * {@link TextRule} (no control characters, not blank, lengths in code points). A number is kept as its JSON text
 * until its field is read, so that one whose exponent is past what {@link BigDecimal} holds
 * ({@code 1e2147483648}, {@code 0.1e-2147483647}) is a 400 naming that field, never a 500.
 */
final class JsonFields {

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();
    private static final Pattern DECIMAL = Pattern.compile("-?\\d{1,30}(\\.\\d{1,30})?");

    private final Map<String, Object> values;

    private JsonFields(Map<String, Object> values) {
        this.values = values;
    }

    /** Parses {@code body}; an empty body is an empty object when {@code emptyAllowed}. */
    static JsonFields parse(String body, boolean emptyAllowed, Set<String> allowed) {
        if (body == null || body.isBlank()) {
            if (emptyAllowed) {
                return new JsonFields(Map.of());
            }
            throw CommandProblem.badRequest("the request body is empty; send a JSON object with the fields "
                    + String.join(", ", allowed));
        }
        Map<String, Object> values = new LinkedHashMap<>();
        String field = null;
        try (JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw CommandProblem.badRequest("the request body must be a JSON object");
            }
            for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT; token = parser.nextToken()) {
                String name = parser.currentName();
                if (!allowed.contains(name)) {
                    throw CommandProblem.badRequest("unknown field '" + abbreviate(name) + "'; allowed fields are "
                            + String.join(", ", allowed));
                }
                // named only while its value is read: an error after it (a missing comma, text after the object)
                // is not in it
                field = name;
                values.put(name, value(parser, parser.nextToken()));
                field = null;
            }
            if (parser.nextToken() != null) {
                throw CommandProblem.badRequest("unexpected content after the JSON object");
            }
        } catch (JsonProcessingException e) {
            // a number too long for Jackson's limits is reported here too: name the field it was in
            throw CommandProblem.badRequest("malformed JSON" + (field == null ? "" : " in field '" + field + "'")
                    + ": " + JacksonMessages.withoutSource(e.getOriginalMessage())
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr()));
        } catch (IOException e) {
            throw CommandProblem.badRequest("unreadable request body: " + e.getMessage());
        }
        return new JsonFields(values);
    }

    private static Object value(JsonParser parser, JsonToken token) throws IOException {
        return switch (token) {
            case VALUE_STRING -> parser.getText();
            // the text only: converting 1e2147483648 to a BigDecimal throws, and that must happen where the field is known
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> new NumberText(parser.getText());
            case VALUE_NULL -> null;
            case VALUE_TRUE, VALUE_FALSE -> JsonType.BOOLEAN;
            case START_OBJECT -> {
                parser.skipChildren();
                yield JsonType.OBJECT;
            }
            case START_ARRAY -> {
                parser.skipChildren();
                yield JsonType.ARRAY;
            }
            default -> throw CommandProblem.badRequest("unexpected JSON token " + token);
        };
    }

    /**
     * A required string that follows the {@link TextRule}: stripped of surrounding blanks, non-blank, at most
     * {@code maxLength} characters (code points), no control characters.
     */
    String requiredText(String name, int maxLength) {
        String text = optionalText(name, maxLength);
        if (text == null) {
            throw CommandProblem.badRequest(name + " is required");
        }
        return text;
    }

    /** An optional string (absent or null gives null) that follows the {@link TextRule}, stripped. */
    String optionalText(String name, int maxLength) {
        if (!values.containsKey(name) || values.get(name) == null) {
            return null;
        }
        if (!(values.get(name) instanceof String text)) {
            throw CommandProblem.badRequest(name + " must be a string, got " + typeName(values.get(name)));
        }
        try {
            return TextRule.check(name, text, maxLength);
        } catch (TextRule.InvalidText e) {
            throw CommandProblem.badRequest(e.getMessage());
        }
    }

    /**
     * A required amount given as a JSON string ({@code "10.50"}) or number ({@code 10.50}), exact; above zero (or
     * zero when {@code zeroAllowed}), at most {@code max}, with at most {@code maxScale} significant decimals.
     * Every mistake, an exponent out of range included, is a 400 naming the field and its allowed range.
     */
    BigDecimal requiredAmount(String name, boolean zeroAllowed, BigDecimal max, int maxScale) {
        Object value = values.get(name);
        if (value == null) {
            throw CommandProblem.badRequest(name + " is required: a decimal string such as \"10.50\" or a number");
        }
        String range = (zeroAllowed ? "0" : BigDecimal.ONE.movePointLeft(maxScale).toPlainString()) + " to "
                + max.toPlainString() + " with at most " + maxScale + " decimals";
        BigDecimal amount;
        String text;
        if (value instanceof NumberText number) {
            text = number.text();
            try {
                amount = new BigDecimal(text);
            } catch (NumberFormatException | ArithmeticException e) {
                // the exponent or the scale is past an int (1e2147483648, 0.1e-2147483647, 1e-2147483649)
                throw CommandProblem.badRequest(name + " must be a decimal number from " + range + ", got "
                        + abbreviate(text) + ", whose exponent is out of range");
            }
        } else if (value instanceof String string) {
            text = string.strip();
            if (!DECIMAL.matcher(text).matches()) {
                throw CommandProblem.badRequest(name + " must be a decimal number such as \"10.50\" (" + range
                        + "), got \"" + abbreviate(string) + "\"");
            }
            amount = new BigDecimal(text);
        } else {
            throw CommandProblem.badRequest(name + " must be a decimal string such as \"10.50\" or a number, got "
                    + typeName(value));
        }
        if (zeroAllowed ? amount.signum() < 0 : amount.signum() <= 0) {
            throw CommandProblem.badRequest(name + " must be " + (zeroAllowed ? "zero or more" : "more than zero")
                    + " (" + range + "), got " + abbreviate(text));
        }
        // compareTo and stripTrailingZeros are safe at any scale; toPlainString of 1e-2147483647 would not be
        if (amount.compareTo(max) > 0) {
            throw CommandProblem.badRequest(name + " must be at most " + max.toPlainString() + " (" + range + "), got "
                    + abbreviate(text));
        }
        if (amount.stripTrailingZeros().scale() > maxScale) {
            throw CommandProblem.badRequest(name + " must have at most " + maxScale + " decimals (" + range + "), got "
                    + abbreviate(text));
        }
        return amount.stripTrailingZeros();
    }

    private static String typeName(Object value) {
        if (value instanceof NumberText) {
            return "a number";
        }
        if (value instanceof JsonType type) {
            return type.label;
        }
        return "a string";
    }

    private static String abbreviate(String text) {
        return TextRule.quote(text, 40);
    }

    private record NumberText(String text) {
    }

    private enum JsonType {
        BOOLEAN("a boolean"), OBJECT("an object"), ARRAY("an array");

        private final String label;

        JsonType(String label) {
            this.label = label;
        }
    }
}
