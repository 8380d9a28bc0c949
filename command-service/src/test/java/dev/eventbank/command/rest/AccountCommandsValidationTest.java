package dev.eventbank.command.rest;

import dev.eventbank.schemas.commands.CloseAccount;
import dev.eventbank.schemas.commands.DepositMoney;
import dev.eventbank.schemas.commands.OpenAccount;
import dev.eventbank.schemas.common.AccountType;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command service's input checks ({@link AccountCommands}' check methods, {@link JsonFields},
 * {@link CommandHeaders}), run without Kafka: each mistake is a 400 whose detail names the field and says what to
 * send, on every field where it can occur.
 */
class AccountCommandsValidationTest {

    private static final String ACCOUNT_ID = UUID.randomUUID().toString();

    /** Every text field of every command, with a body that carries {@code value} in it (JSON-escaped by the caller). */
    private static final Map<String, Function<String, String>> TEXT_FIELDS = Map.of(
            "owner", v -> "{\"owner\":\"" + v + "\",\"currency\":\"EUR\",\"initialDeposit\":\"1\"}",
            "accountNumber", v -> "{\"owner\":\"Ada\",\"currency\":\"EUR\",\"initialDeposit\":\"1\",\"accountNumber\":\"" + v + "\"}",
            "email", v -> "{\"owner\":\"Ada\",\"currency\":\"EUR\",\"initialDeposit\":\"1\",\"email\":\"" + v + "\"}",
            "reference", v -> "{\"amount\":\"1\",\"reference\":\"" + v + "\"}",
            "reason", v -> "{\"reason\":\"" + v + "\"}");

    /** Every amount field of every command, with a body that carries the JSON number or string {@code value}. */
    private static final Map<String, Function<String, String>> AMOUNT_FIELDS = Map.of(
            "initialDeposit", v -> "{\"owner\":\"Ada\",\"currency\":\"EUR\",\"initialDeposit\":" + v + "}",
            "amount (deposit)", v -> "{\"amount\":" + v + "}",
            "amount (withdrawal)", v -> "{\"amount\":" + v + "}");

    @Test
    void shouldAcceptAnEmailAddressAndRejectWhatIsNotOne() {
        assertEquals("ada@example.com", AccountCommands.email("ada@example.com"));
        assertNull(AccountCommands.email(null));
        for (String bad : new String[] {"ada", "ada@", "@example.com", "ada@example", "a b@example.com", "a@b@c.com"}) {
            CommandProblem problem = assertThrows(CommandProblem.class, () -> AccountCommands.email(bad), bad);
            assertEquals(400, problem.status().getCode());
            assertTrue(problem.getMessage().startsWith("email must be an e-mail address"), problem.getMessage());
        }
    }

    @Test
    void shouldAcceptKnownAccountTypesAndNameThemWhenAnotherIsGiven() {
        assertEquals(AccountType.SAVINGS, AccountCommands.accountType("SAVINGS"));
        assertNull(AccountCommands.accountType(null));
        CommandProblem problem = assertThrows(CommandProblem.class, () -> AccountCommands.accountType("GOLD"));
        assertEquals("accountType must be one of [CHECKING, SAVINGS], got \"GOLD\"", problem.getMessage());
    }

    @Test
    void shouldRejectAReferenceOverTheLimit() {
        // given
        JsonFields tooLong = JsonFields.parse("{\"reference\":\"" + "x".repeat(141) + "\"}", false, Set.of("reference"));
        // when / then
        CommandProblem length = assertThrows(CommandProblem.class,
                () -> tooLong.optionalText("reference", AccountCommands.MAX_REFERENCE));
        assertEquals("reference must be at most 140 characters, got 141", length.getMessage());
    }

    @Test
    void shouldRefuseAnAmountWhoseExponentIsOutOfRangeInEveryAmountField() {
        for (var field : AMOUNT_FIELDS.entrySet()) {
            for (String number : List.of("1e2147483648", "1e-2147483649", "0.1e-2147483647", "-1e2147483648",
                    "1e-2147483648", "1E+2147483648", "1e2147483647", "1e-2147483647", "9e999999999")) {
                // when
                CommandProblem problem = assertThrows(CommandProblem.class,
                        () -> check(field.getKey(), field.getValue().apply(number)), field.getKey() + " " + number);
                // then: a 400 that names the field and the allowed range
                assertEquals(400, problem.status().getCode());
                String name = field.getKey().split(" ")[0];
                assertTrue(problem.getMessage().startsWith(name + " must "), problem.getMessage());
                assertTrue(problem.getMessage().contains("1000000000000"), problem.getMessage());
            }
        }
    }

    @Test
    void shouldStillTakeAnExponentThatGivesAValidAmount() {
        // 1.05e2 is 105, 0e-2147483647 is zero: exact decimals written with an exponent are amounts like any other
        DepositMoney deposit = (DepositMoney) AccountCommands.checkDeposit("{\"amount\":1.05e2}").payload();
        assertEquals(0, new java.math.BigDecimal("105").compareTo(deposit.getAmount()));
        OpenAccount open = (OpenAccount) AccountCommands.checkOpen(
                "{\"owner\":\"Ada\",\"currency\":\"EUR\",\"initialDeposit\":0e-2147483647}", ACCOUNT_ID).payload();
        assertEquals(0, open.getInitialDeposit().signum());
    }

    @Test
    void shouldApplyTheOneTextRuleToEveryTextField() {
        List<String> refused = List.of("\\u0000", "Ada\\u001b[31mRed", "two\\nlines", "tab\\there", "\\u200b",
                "\\u200b\\u200d\\ufeff", " \\u00a0 ", "abc\\u202eevil", "lone \\ud800 surrogate", "\\udc00", "x\\u2028y",
                "\\u3164", "\\ufffe");
        for (var field : TEXT_FIELDS.entrySet()) {
            for (String value : refused) {
                // when
                CommandProblem problem = assertThrows(CommandProblem.class,
                        () -> check(field.getKey(), field.getValue().apply(value)), field.getKey() + " " + value);
                // then
                assertEquals(400, problem.status().getCode());
                assertTrue(problem.getMessage().startsWith(field.getKey() + " must "), problem.getMessage());
            }
        }
    }

    @Test
    void shouldCountLengthsInCharactersNotUtf16Units() {
        // given: U+1F4B6 (an emoji) and U+20000 (CJK Extension B) take two UTF-16 units each
        String emoji = "\uD83D\uDCB6";
        String cjk = new String(Character.toChars(0x20000));
        // when / then: at the limit passes, one more is refused with the count in characters
        assertEquals(emoji.repeat(140), ((DepositMoney) AccountCommands.checkDeposit(
                "{\"amount\":\"1\",\"reference\":\"" + emoji.repeat(140) + "\"}").payload()).getReference());
        CommandProblem reference = assertThrows(CommandProblem.class, () -> AccountCommands.checkDeposit(
                "{\"amount\":\"1\",\"reference\":\"" + emoji.repeat(141) + "\"}"));
        assertEquals("reference must be at most 140 characters, got 141", reference.getMessage());
        assertEquals(cjk.repeat(200), ((OpenAccount) AccountCommands.checkOpen("{\"owner\":\"" + cjk.repeat(200)
                + "\",\"currency\":\"EUR\",\"initialDeposit\":\"1\"}", ACCOUNT_ID).payload()).getOwner());
        CommandProblem owner = assertThrows(CommandProblem.class, () -> AccountCommands.checkOpen("{\"owner\":\""
                + cjk.repeat(201) + "\",\"currency\":\"EUR\",\"initialDeposit\":\"1\"}", ACCOUNT_ID));
        assertEquals("owner must be at most 200 characters, got 201", owner.getMessage());
        CommandProblem reason = assertThrows(CommandProblem.class,
                () -> AccountCommands.checkClose("{\"reason\":\"" + emoji.repeat(201) + "\"}"));
        assertEquals("reason must be at most 200 characters, got 201", reason.getMessage());
    }

    @Test
    void shouldKeepLettersOfAnyScriptEmojiAndInnerSpaces() {
        OpenAccount open = (OpenAccount) AccountCommands.checkOpen("{\"owner\":\"  Zoë 李 \uD83D\uDC69\u200D\uD83D\uDCBB O'Brien-Smith  \","
                + "\"currency\":\"EUR\",\"initialDeposit\":\"1\"}", ACCOUNT_ID).payload();
        assertEquals("Zoë 李 \uD83D\uDC69\u200D\uD83D\uDCBB O'Brien-Smith", open.getOwner());
        assertEquals("customer request", ((CloseAccount) AccountCommands.checkClose("{\"reason\":\"customer request\"}")
                .payload()).getReason());
    }

    @Test
    void shouldFingerprintAnAbsentAccountNumberOtherThanTheText_null() {
        // given
        String absent = "{\"owner\":\"Case Fp\",\"currency\":\"EUR\",\"initialDeposit\":\"1\"}";
        String nullText = "{\"owner\":\"Case Fp\",\"currency\":\"EUR\",\"initialDeposit\":\"1\",\"accountNumber\":\"null\"}";
        String jsonNull = "{\"owner\":\"Case Fp\",\"currency\":\"EUR\",\"initialDeposit\":\"1\",\"accountNumber\":null}";
        // when
        AccountCommands.Checked withoutNumber = AccountCommands.checkOpen(absent, ACCOUNT_ID);
        AccountCommands.Checked numberedNull = AccountCommands.checkOpen(nullText, ACCOUNT_ID);
        AccountCommands.Checked explicitNull = AccountCommands.checkOpen(jsonNull, ACCOUNT_ID);
        // then: two different requests; a JSON null is the same as absent; an absent number is generated
        assertNotEquals(withoutNumber.fingerprint(), numberedNull.fingerprint());
        assertEquals(withoutNumber.fingerprint(), explicitNull.fingerprint());
        assertEquals("null", ((OpenAccount) numberedNull.payload()).getAccountNumber());
        assertEquals(CommandIds.accountNumber(ACCOUNT_ID), ((OpenAccount) withoutNumber.payload()).getAccountNumber());
    }

    @Test
    void shouldCompareIfMatchStronglyWithTheETagsWeIssue() {
        // the canonical forms: quoted (an ETag as we send it) and, kept from before, bare digits
        assertEquals(1L, CommandHeaders.expectedVersion("\"1\""));
        assertEquals(42L, CommandHeaders.expectedVersion(" \"42\" "));
        assertEquals(3L, CommandHeaders.expectedVersion("3"));
        assertNull(CommandHeaders.expectedVersion(null));
        // well-formed entity tags that no ETag of ours equals: they never match (409 from the single writer)
        for (String never : List.of("\"01\"", "\"001\"", "\"+1\"", "\"1.0\"", "\"abc\"", "\"\"", "W/\"1\"",
                "\"99999999999999999999\"")) {
            assertEquals(CommandHeaders.NEVER_MATCHES, CommandHeaders.expectedVersion(never), never);
        }
        // not one entity tag (a bare 01 is neither a version nor an entity tag, never version 1): 400
        for (String bad : List.of("*", "\"1\", \"2\"", "\"1", "1\"", "\"a b\"", "", "W/1", "-1", "01", "1 2",
                "\"\u0007\"")) {
            CommandProblem problem = assertThrows(CommandProblem.class, () -> CommandHeaders.expectedVersion(bad), bad);
            assertEquals(400, problem.status().getCode());
            assertTrue(problem.getMessage().startsWith("If-Match"), problem.getMessage());
        }
    }

    @Test
    void shouldTakeAccountIdsInAnyCaseAsTheirLowerCaseForm() {
        String id = UUID.randomUUID().toString();
        assertEquals(id, AccountCommands.accountId(id.toUpperCase()));
        assertEquals(404, assertThrows(CommandProblem.class, () -> AccountCommands.accountId("not-a-uuid"))
                .status().getCode());
    }

    private static Object check(String field, String body) {
        return switch (field) {
            case "owner", "accountNumber", "email", "initialDeposit" -> AccountCommands.checkOpen(body, ACCOUNT_ID);
            case "reference", "amount (deposit)" -> AccountCommands.checkDeposit(body);
            case "amount (withdrawal)" -> AccountCommands.checkWithdraw(body);
            case "reason" -> AccountCommands.checkClose(body);
            default -> throw new IllegalArgumentException(field);
        };
    }
}
