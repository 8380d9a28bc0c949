package dev.eventbank.command.rest;

import dev.eventbank.schemas.commands.CloseAccount;
import dev.eventbank.schemas.commands.DepositMoney;
import dev.eventbank.schemas.commands.OpenAccount;
import dev.eventbank.schemas.commands.WithdrawMoney;
import dev.eventbank.support.http.JsonBody;
import dev.eventbank.support.problem.ProblemException;
import dev.eventbank.support.text.TextRule;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A property-based fuzz test (jqwik) of the command service's input layer, everything a request goes through before
 * a command is built: the JSON body rule ({@link JsonBody}: Content-Type, UTF-8), the headers ({@link CommandHeaders}:
 * If-Match) and the body checks of each command ({@link AccountCommands}' check methods over {@link JsonFields}).
 * Whatever the body, Content-Type and If-Match: either a command comes out whose every field meets the rules (text
 * rule, amount range), or a 4xx problem with a detail; never another exception (which would be a 500).
 *
 * <p>Limits: no Kafka and no HTTP server: the write path behind this layer is being replaced, and what reaches it is
 * exactly what passes here ({@code CommandInputIT} drives the same rules over HTTP). 500 tries per property.
 */
class CommandInputFuzzTest {

    private static final String ACCOUNT_ID = UUID.randomUUID().toString();

    @Property(tries = 500)
    void shouldBuildAValidCommandOrAnswerA4xxProblemWhateverTheRequest(@ForAll("commands") String command,
                                                                       @ForAll("contentTypes") String contentType,
                                                                       @ForAll("bodies") byte[] body,
                                                                       @ForAll("ifMatches") String ifMatch) {
        try {
            // when
            Long expected = CommandHeaders.expectedVersion(ifMatch);
            String text = JsonBody.utf8(contentType, body);
            AccountCommands.Checked checked = switch (command) {
                case "open" -> AccountCommands.checkOpen(text, ACCOUNT_ID);
                case "deposit" -> AccountCommands.checkDeposit(text);
                case "withdraw" -> AccountCommands.checkWithdraw(text);
                default -> AccountCommands.checkClose(text);
            };
            // then: what passes meets every rule
            assertTrue(expected == null || expected >= 0 || expected == CommandHeaders.NEVER_MATCHES, String.valueOf(expected));
            assertValid(checked);
        } catch (CommandProblem problem) {
            assertTrue(problem.status().getCode() >= 400 && problem.status().getCode() < 500, problem.getMessage());
            assertFalse(problem.getMessage().isBlank());
            assertTrue(problem.type().startsWith("/problems/"), problem.type());
        } catch (ProblemException problem) {
            assertTrue(problem.status().getCode() == 400 || problem.status().getCode() == 415, problem.getMessage());
            assertFalse(problem.getMessage().isBlank());
        }
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

    @Provide
    Arbitrary<String> commands() {
        return Arbitraries.of("open", "deposit", "withdraw", "close");
    }

    @Provide
    Arbitrary<String> contentTypes() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.of("application/json", "application/json; charset=utf-8")),
                Tuple.of(2, Arbitraries.of("", " ", "text/plain", "application/json; charset=nonsense",
                        "application/json; charset=", "application/json;;", ";", "application/json; charset=\"utf-8\"",
                        "APPLICATION/JSON; CHARSET=UTF-8", "application/json; charset=latin1", "application/*")),
                Tuple.of(1, Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(40)),
                Tuple.of(1, Arbitraries.<String>just(null)));
    }

    @Provide
    Arbitrary<String> ifMatches() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.<String>just(null)),
                Tuple.of(2, Arbitraries.longs().between(0, Long.MAX_VALUE).map(v -> "\"" + v + "\"")),
                Tuple.of(2, Arbitraries.of("\"01\"", "W/\"1\"", "*", "\"1\", \"2\"", "\"1", "", "3", "-1", "\"\"",
                        "\"99999999999999999999\"", "W/", "\"a b\"")),
                Tuple.of(1, Arbitraries.strings().withCharRange(' ', '\u00ff').ofMaxLength(30)));
    }

    @Provide
    Arbitrary<byte[]> bodies() {
        Arbitrary<String> json = Combinators.combine(
                Arbitraries.of("owner", "currency", "initialDeposit", "accountNumber", "email", "accountType", "amount",
                        "reference", "reason", "ammount", "").list().ofMaxSize(6),
                values().list().ofSize(6)).as((names, values) -> {
                    StringBuilder object = new StringBuilder("{");
                    for (int i = 0; i < names.size(); i++) {
                        object.append(i == 0 ? "" : ",").append('"').append(names.get(i)).append("\":").append(values.get(i));
                    }
                    return object.append('}').toString();
                });
        Arbitrary<String> valid = Arbitraries.of(
                "{\"owner\":\"Ada\",\"currency\":\"EUR\",\"initialDeposit\":\"1\"}", "{\"amount\":\"1.5\"}",
                "{\"amount\":2,\"reference\":\"x\"}", "{\"reason\":\"done\"}", "{}", "");
        Arbitrary<byte[]> utf8 = Arbitraries.oneOf(json, valid, Arbitraries.strings().all().ofMaxLength(60))
                .map(text -> text.getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(60);
        Arbitrary<byte[]> latin1 = json.map(text -> text.getBytes(StandardCharsets.ISO_8859_1));
        return Arbitraries.frequencyOf(Tuple.of(6, utf8), Tuple.of(1, raw), Tuple.of(1, latin1));
    }

    /** JSON values: numbers around every limit (exponents past int range included), hostile strings, other types. */
    private static Arbitrary<String> values() {
        Arbitrary<String> numbers = Arbitraries.oneOf(
                Arbitraries.of("0", "1", "-1", "1e2147483648", "1e-2147483649", "0.1e-2147483647", "1e-2147483648",
                        "1E+2147483647", "1000000000000", "1000000000000.0001", "0.00001", "1e400", "-0", "1.05e2",
                        "0e-2147483647", "123456789012345678901234567890.123"),
                Combinators.combine(Arbitraries.integers().between(-99999, 99999),
                        Arbitraries.integers()).as((mantissa, exponent) -> mantissa + "e" + exponent),
                Arbitraries.bigDecimals().between(BigDecimal.valueOf(-1e6), BigDecimal.valueOf(1e13)).ofScale(6)
                        .map(BigDecimal::toPlainString));
        Arbitrary<String> strings = Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(40).map(CommandInputFuzzTest::jsonString),
                Arbitraries.strings().withCharRange('\ud800', '\udfff').ofMinLength(1).ofMaxLength(3)
                        .map(CommandInputFuzzTest::escapedJsonString),
                Arbitraries.of("\"EUR\"", "\"JPY\"", "\"eur\"", "\"SAVINGS\"", "\"ada@example.com\"", "\"NL01 EVBK 1\"",
                        "\"null\"", "\"\\u0000\"", "\"\\u200b\"", "\"\\u202e\"", "\"  \"", "\"10.50\"", "\"-5\"", "\"1e5\""),
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(130).ofMaxLength(260).map(s -> "\"" + s + "\""));
        return Arbitraries.oneOf(numbers, strings, Arbitraries.of("null", "true", "false", "{}", "[]", "[1]",
                "{\"a\":{\"b\":[]}}", "\"", "01", "NaN", "Infinity"));
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

    @Property(tries = 50)
    void shouldNeverMatchAnIfMatchThatIsNotTheCanonicalVersion(@ForAll("versions") long version,
                                                               @ForAll("zeros") int leadingZeros) {
        // an ETag of ours is "<version>"; the same number with leading zeros is another entity tag (RFC 9110 8.8.3.2)
        assertEquals(version, CommandHeaders.expectedVersion("\"" + version + "\""));
        assertEquals(CommandHeaders.NEVER_MATCHES,
                CommandHeaders.expectedVersion("\"" + "0".repeat(leadingZeros) + version + "\""));
        assertEquals(CommandHeaders.NEVER_MATCHES, CommandHeaders.expectedVersion("W/\"" + version + "\""));
    }

    @Provide
    Arbitrary<Long> versions() {
        return Arbitraries.longs().between(1, 999_999_999_999_999_999L);
    }

    @Provide
    Arbitrary<Integer> zeros() {
        return Arbitraries.integers().between(1, 3);
    }
}
