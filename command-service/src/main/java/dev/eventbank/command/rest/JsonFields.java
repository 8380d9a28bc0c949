package dev.eventbank.command.rest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;

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
 * {@code "ammount"} must not pass as a missing optional field.
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
                values.put(name, value(parser, parser.nextToken()));
            }
            if (parser.nextToken() != null) {
                throw CommandProblem.badRequest("unexpected content after the JSON object");
            }
        } catch (JsonProcessingException e) {
            throw CommandProblem.badRequest("malformed JSON: " + e.getOriginalMessage()
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
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> new NumberText(parser.getDecimalValue(), parser.getText());
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

    /** A required string, stripped of surrounding blanks, non-blank and at most {@code maxLength} long. */
    String requiredText(String name, int maxLength) {
        String text = optionalText(name, maxLength);
        if (text == null) {
            throw CommandProblem.badRequest(name + " is required");
        }
        return text;
    }

    /** An optional string (absent or null gives null), stripped, non-blank and at most {@code maxLength} long. */
    String optionalText(String name, int maxLength) {
        if (!values.containsKey(name) || values.get(name) == null) {
            return null;
        }
        if (!(values.get(name) instanceof String text)) {
            throw CommandProblem.badRequest(name + " must be a string, got " + typeName(values.get(name)));
        }
        String stripped = text.strip();
        if (stripped.isEmpty()) {
            throw CommandProblem.badRequest(name + " must not be blank");
        }
        if (stripped.length() > maxLength) {
            throw CommandProblem.badRequest(name + " must be at most " + maxLength + " characters, got " + stripped.length());
        }
        return stripped;
    }

    /**
     * A required amount given as a JSON string ({@code "10.50"}) or number ({@code 10.50}), exact; above zero (or
     * zero when {@code zeroAllowed}), at most {@code max}, with at most {@code maxScale} significant decimals.
     */
    BigDecimal requiredAmount(String name, boolean zeroAllowed, BigDecimal max, int maxScale) {
        Object value = values.get(name);
        if (value == null) {
            throw CommandProblem.badRequest(name + " is required: a decimal string such as \"10.50\" or a number");
        }
        BigDecimal amount;
        String text;
        if (value instanceof NumberText number) {
            amount = number.value();
            text = number.text();
        } else if (value instanceof String string) {
            text = string.strip();
            if (!DECIMAL.matcher(text).matches()) {
                throw CommandProblem.badRequest(name + " must be a decimal number such as \"10.50\", got \""
                        + abbreviate(string) + "\"");
            }
            amount = new BigDecimal(text);
        } else {
            throw CommandProblem.badRequest(name + " must be a decimal string such as \"10.50\" or a number, got "
                    + typeName(value));
        }
        if (zeroAllowed ? amount.signum() < 0 : amount.signum() <= 0) {
            throw CommandProblem.badRequest(name + " must be " + (zeroAllowed ? "zero or more" : "more than zero")
                    + ", got " + abbreviate(text));
        }
        if (amount.compareTo(max) > 0) {
            throw CommandProblem.badRequest(name + " must be at most " + max.toPlainString() + ", got " + abbreviate(text));
        }
        if (amount.stripTrailingZeros().scale() > maxScale) {
            throw CommandProblem.badRequest(name + " must have at most " + maxScale + " decimals, got " + abbreviate(text));
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
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }

    private record NumberText(BigDecimal value, String text) {
    }

    private enum JsonType {
        BOOLEAN("a boolean"), OBJECT("an object"), ARRAY("an array");

        private final String label;

        JsonType(String label) {
            this.label = label;
        }
    }
}
