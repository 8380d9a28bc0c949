package dev.eventbank.command.rest;

import dev.eventbank.schemas.commands.CloseAccount;
import dev.eventbank.schemas.commands.DepositMoney;
import dev.eventbank.schemas.commands.OpenAccount;
import dev.eventbank.schemas.commands.WithdrawMoney;
import dev.eventbank.support.http.JsonBody;
import dev.eventbank.support.problem.ProblemException;
import dev.eventbank.support.testing.Fuzz;
import dev.eventbank.support.testing.Fuzz.Choice;
import dev.eventbank.support.testing.Fuzz.Gen;
import dev.eventbank.support.text.TextRule;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A fuzz test of the command service's input layer, everything a request goes through before a command is built:
 * the JSON body rule ({@link JsonBody}: Content-Type, UTF-8), the headers ({@link CommandHeaders}: If-Match) and the
 * body checks of each of the four commands ({@link AccountCommands}' check methods over {@link JsonFields}).
 * Whatever the body, Content-Type and If-Match: either a command comes out whose every field meets the rules (text
 * rule, amount range), or a 4xx problem with a detail; never another exception (which would be a 500). And an
 * If-Match matches only our canonical entity tag of a version.
 *
 * <p>The inputs come from our own small seeded generators ({@link Fuzz}): jqwik, the property-based testing library
 * we would have used, asks AI agents in a message it prints on every run not to use it, and we honour that. Each
 * try's seed is the property's base seed plus the try's number; a failure names its seed and input, and
 * {@code -Dfuzz.seed=<seed>} replays it.
 *
 * <p>Limits: no Kafka and no HTTP server: the write path behind this layer is being replaced, and what reaches it is
 * exactly what passes here ({@code CommandInputIT} drives the same rules over HTTP). 500 tries for the first
 * property, 50 for the second; no shrinking of a failing input.
 */
class CommandInputFuzzTest {

    private static final String ACCOUNT_ID = "5f0c8f53-2b7e-4c1a-9d3e-6a1b2c3d4e5f";
    private static final long REQUESTS_SEED = 0x5EED_C0DE_0001L;
    private static final long VERSIONS_SEED = 0x5EED_C0DE_0002L;

    /** One generated request: the command, its Content-Type, body bytes and If-Match ({@code null}: absent). */
    record CommandRequest(String command, String contentType, byte[] body, String ifMatch) {
        @Override
        public String toString() {
            return command + " Content-Type=" + quoted(contentType) + " If-Match=" + quoted(ifMatch)
                    + " body(hex)=" + HexFormat.of().formatHex(body)
                    + " body(utf-8)=" + quoted(new String(body, StandardCharsets.UTF_8));
        }

        private static String quoted(String value) {
            return value == null ? "null" : "<" + value + ">";
        }
    }

    @Test
    void shouldBuildAValidCommandOrAnswerA4xxProblemWhateverTheRequest() {
        Fuzz.forAll(REQUESTS_SEED, 500, CommandInputFuzzTest::request, request -> {
            try {
                // when
                Long expected = CommandHeaders.expectedVersion(request.ifMatch());
                String text = JsonBody.utf8(request.contentType(), request.body());
                AccountCommands.Checked checked = switch (request.command()) {
                    case "open" -> AccountCommands.checkOpen(text, ACCOUNT_ID);
                    case "deposit" -> AccountCommands.checkDeposit(text);
                    case "withdraw" -> AccountCommands.checkWithdraw(text);
                    default -> AccountCommands.checkClose(text);
                };
                // then: what passes meets every rule
                assertTrue(expected == null || expected >= 0 || expected == CommandHeaders.NEVER_MATCHES,
                        String.valueOf(expected));
                assertValid(checked);
            } catch (CommandProblem problem) {
                assertTrue(problem.status().getCode() >= 400 && problem.status().getCode() < 500, problem.getMessage());
                assertFalse(problem.getMessage().isBlank());
                assertTrue(problem.type().startsWith("/problems/"), problem.type());
            } catch (ProblemException problem) {
                assertTrue(problem.status().getCode() == 400 || problem.status().getCode() == 415, problem.getMessage());
                assertFalse(problem.getMessage().isBlank());
            }
        });
    }

    private static void assertValid(AccountCommands.Checked checked) {
        assertEquals(64, checked.fingerprint().length());
        if (checked.payload() instanceof OpenAccount open) {
            text(open.getOwner(), 200);
            text(open.getAccountNumber(), 34);
            if (open.getEmail() != null) {
                text(open.getEmail(), 254);
            }
            amount(open.getInitialDeposit(), true);
        } else if (checked.payload() instanceof DepositMoney deposit) {
            amount(deposit.getAmount(), false);
            if (deposit.getReference() != null) {
                text(deposit.getReference(), 140);
            }
        } else if (checked.payload() instanceof WithdrawMoney withdraw) {
            amount(withdraw.getAmount(), false);
        } else if (checked.payload() instanceof CloseAccount close) {
            if (close.getReason() != null) {
                text(close.getReason(), 200);
            }
        } else {
            throw new AssertionError("unexpected payload " + checked.payload());
        }
    }

    private static void text(String value, int max) {
        // the rule holds for what comes out: checking it again changes nothing
        assertEquals(value, TextRule.check("field", value, max));
    }

    private static void amount(BigDecimal amount, boolean zeroAllowed) {
        assertTrue(zeroAllowed ? amount.signum() >= 0 : amount.signum() > 0, amount.toPlainString());
        assertTrue(amount.compareTo(AccountCommands.MAX_AMOUNT) <= 0, amount.toPlainString());
        assertTrue(amount.stripTrailingZeros().scale() <= AccountCommands.MAX_SCALE, amount.toPlainString());
    }

    private static CommandRequest request(Gen gen) {
        return new CommandRequest(gen.of("open", "deposit", "withdraw", "close"), contentType(gen), body(gen),
                ifMatch(gen));
    }

    private static String contentType(Gen gen) {
        return gen.frequency(
                Choice.of(6, () -> gen.of("application/json", "application/json; charset=utf-8")),
                Choice.of(2, () -> gen.of("", " ", "text/plain", "application/json; charset=nonsense",
                        "application/json; charset=", "application/json;;", ";", "application/json; charset=\"utf-8\"",
                        "APPLICATION/JSON; CHARSET=UTF-8", "application/json; charset=latin1", "application/*")),
                Choice.of(1, () -> gen.text(0, 40, ' ', '~')),
                Choice.of(1, () -> null));
    }

    private static String ifMatch(Gen gen) {
        return gen.frequency(
                Choice.of(4, () -> null),
                Choice.of(2, () -> "\"" + gen.between(0, Long.MAX_VALUE) + "\""),
                Choice.of(2, () -> gen.of("\"01\"", "W/\"1\"", "*", "\"1\", \"2\"", "\"1", "", "3", "-1", "\"\"",
                        "\"99999999999999999999\"", "W/", "\"a b\"")),
                Choice.of(1, () -> gen.text(0, 30, ' ', '\u00ff')));
    }

    private static byte[] body(Gen gen) {
        return gen.frequency(
                Choice.of(6, () -> gen.oneOf(() -> jsonObject(gen), () -> gen.of(
                                "{\"owner\":\"Ada\",\"currency\":\"EUR\",\"initialDeposit\":\"1\"}", "{\"amount\":\"1.5\"}",
                                "{\"amount\":2,\"reference\":\"x\"}", "{\"reason\":\"done\"}", "{}", ""),
                        () -> gen.anyText(60))
                        .getBytes(StandardCharsets.UTF_8)),
                Choice.of(1, () -> gen.bytes(60)),
                Choice.of(1, () -> jsonObject(gen).getBytes(StandardCharsets.ISO_8859_1)));
    }

    /** A JSON object of up to 6 members: the commands' field names (one misspelt, one empty) and hostile values. */
    private static String jsonObject(Gen gen) {
        List<String> names = gen.list(0, 6, () -> gen.of("owner", "currency", "initialDeposit", "accountNumber",
                "email", "accountType", "amount", "reference", "reason", "ammount", ""));
        StringBuilder object = new StringBuilder("{");
        for (int i = 0; i < names.size(); i++) {
            object.append(i == 0 ? "" : ",").append('"').append(names.get(i)).append("\":").append(value(gen));
        }
        return object.append('}').toString();
    }

    /** JSON values: numbers around every limit (exponents past int range included), hostile strings, other types. */
    private static String value(Gen gen) {
        return gen.oneOf(
                () -> gen.oneOf(
                        () -> gen.of("0", "1", "-1", "1e2147483648", "1e-2147483649", "0.1e-2147483647", "1e-2147483648",
                                "1E+2147483647", "1000000000000", "1000000000000.0001", "0.00001", "1e400", "-0", "1.05e2",
                                "0e-2147483647", "123456789012345678901234567890.123"),
                        () -> gen.between(-99999, 99999) + "e" + gen.anyInt(),
                        // BigDecimals between -1e6 and 1e13 of scale 6
                        () -> new BigDecimal(gen.between(BigInteger.TEN.pow(12).negate(),
                                BigInteger.TEN.pow(19)), 6).toPlainString()),
                () -> gen.oneOf(
                        () -> jsonString(gen.anyText(40)),
                        () -> escapedJsonString(gen.text(1, 3, '\ud800', '\udfff')),
                        () -> gen.of("\"EUR\"", "\"JPY\"", "\"eur\"", "\"SAVINGS\"", "\"ada@example.com\"",
                                "\"NL01 EVBK 1\"", "\"null\"", "\"\\u0000\"", "\"\\u200b\"", "\"\\u202e\"", "\"  \"",
                                "\"10.50\"", "\"-5\"", "\"1e5\""),
                        () -> "\"" + gen.text(130, 260, 'a', 'z') + "\""),
                () -> gen.of("null", "true", "false", "{}", "[]", "[1]", "{\"a\":{\"b\":[]}}", "\"", "01", "NaN",
                        "Infinity"));
    }

    /** {@code text} as a JSON string, characters as they are (escaped only where JSON requires). */
    private static String jsonString(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\' || c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    /** {@code text} as a JSON string of escapes only, so lone surrogates reach the parser as {@code \ud800}. */
    private static String escapedJsonString(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            out.append(String.format("\\u%04x", (int) c));
        }
        return out.append('"').toString();
    }

    /** A version and a number of leading zeros (1 to 3) to put before it. */
    record PaddedVersion(long version, int leadingZeros) {
    }

    @Test
    void shouldNeverMatchAnIfMatchThatIsNotTheCanonicalVersion() {
        Fuzz.forAll(VERSIONS_SEED, 50,
                gen -> new PaddedVersion(gen.between(1, 999_999_999_999_999_999L), gen.between(1, 3)),
                padded -> {
                    long version = padded.version();
                    // an ETag of ours is "<version>"; the same number with leading zeros is another entity tag
                    // (RFC 9110 8.8.3.2)
                    assertEquals(version, CommandHeaders.expectedVersion("\"" + version + "\""));
                    assertEquals(CommandHeaders.NEVER_MATCHES,
                            CommandHeaders.expectedVersion("\"" + "0".repeat(padded.leadingZeros()) + version + "\""));
                    assertEquals(CommandHeaders.NEVER_MATCHES, CommandHeaders.expectedVersion("W/\"" + version + "\""));
                });
    }
}
