package dev.eventbank.http;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The registered JWT claims that are strings (RFC 7519 section 4.1: {@code iss} and {@code sub} are StringOrURI,
 * {@code jti} a string), checked on a token's JSON as sent. Why: Nimbus, under micronaut-security-jwt, reads a
 * numeric {@code sub} as its decimal text, so a token with {@code "sub":123} was accepted and named the same
 * customer as one with {@code "sub":"123"} (found by a new user signing tokens by hand); and a {@code sub} that is
 * empty, blank or holds a control character, which was accepted as a name. Also our own claim {@code roles}, a JSON
 * array of strings (README, Security): micronaut-security reads {@code "roles":"teller"} as the role teller and
 * {@code ["teller",5]} as teller and "5", so a token of another shape was taken for what it might mean. Every
 * service and the registry refuse such a token (a 401 saying why).
 */
public final class JwtClaimTypes {

    private static final List<String> STRINGS = List.of("iss", "sub", "jti");

    private JwtClaimTypes() {
    }

    /**
     * {@link #wrongType(Map)} of the bearer token an {@code Authorization} header carries.
     *
     * @param authorization the header, null when none
     * @return why its token's claims have the wrong type; empty when they do not, or it carries no bearer token; an
     *     encrypted token (JWE, whose second part is its encrypted key) or one whose claims are not a JSON object is
     *     refused, since no service decrypts tokens
     */
    public static Optional<String> wrongTypeIn(String authorization) {
        if (authorization == null || !authorization.strip().regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        try {
            com.nimbusds.jwt.JWT jwt = com.nimbusds.jwt.JWTParser.parse(authorization.strip().substring(7).strip());
            if (jwt instanceof com.nimbusds.jwt.EncryptedJWT) {
                return Optional.of("an encrypted token (JWE) is not accepted");
            }
            return wrongType(com.nimbusds.jose.util.JSONObjectUtils.parse(jwt.getParsedParts()[1].decodeToString()));
        } catch (java.text.ParseException | RuntimeException e) {
            return Optional.of("the token's claims are not a JSON object");
        }
    }

    /**
     * @param payload the token's claims as its JSON has them (numbers as numbers)
     * @return e.g. "sub must be a string (RFC 7519 section 4.1), got a number"; empty when every one present has its
     *     type
     */
    public static Optional<String> wrongType(Map<String, Object> payload) {
        for (String name : STRINGS) {
            Object value = payload.get(name);
            if (value != null && !(value instanceof String)) {
                return Optional.of(name + " must be a string (RFC 7519 section 4.1), got " + typeOf(value));
            }
        }
        Object roles = payload.get("roles");
        // typeOf before findFirst: a JSON null in the list is an element findFirst cannot return
        Optional<String> oddRoles = roles == null ? Optional.empty()
                : roles instanceof List<?> list ? list.stream().filter(role -> !(role instanceof String))
                        .map(role -> "a list with " + typeOf(role) + " in it").findFirst()
                : Optional.of(typeOf(roles));
        if (oddRoles.isPresent()) {
            return Optional.of("roles must be a list of strings, such as [\"teller\"], got " + oddRoles.get());
        }
        // sub names a customer or a teller: "" or "  " would be everyone's blank name, a control character unreadable
        if (payload.get("sub") instanceof String sub
                && (sub.isBlank() || sub.codePoints().anyMatch(Character::isISOControl))) {
            return Optional.of("sub must name someone: not empty, not blank, without control characters");
        }
        return Optional.empty();
    }

    private static String typeOf(Object value) {
        return value == null ? "null" : value instanceof String ? "a string" : value instanceof Number ? "a number"
                : value instanceof Boolean ? "a boolean" : value instanceof Map ? "an object"
                : value instanceof List ? "a list" : "another type";
    }
}
