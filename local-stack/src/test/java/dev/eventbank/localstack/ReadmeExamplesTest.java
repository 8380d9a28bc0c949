package dev.eventbank.localstack;

import dev.eventbank.localstack.ReadmeExamples.Example;
import dev.eventbank.localstack.ReadmeExamples.Request;
import dev.eventbank.localstack.ReadmeExamples.ShellWords;
import dev.eventbank.localstack.ReadmeExamples.Step;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ReadmeExamples} without a stack: the README parses, none of its curl commands escapes
 * {@link ReadmeExamplesIT}, and the matcher tells a drifted response from one that only differs where the README
 * says it may.
 */
class ReadmeExamplesTest {

    private static final String BLOCK = """
            Open one:
            <!-- example: open -->
            ```
            curl -i -X POST localhost:8080/accounts -H 'Content-Type: application/json' \\
              -d '{"owner":"Ada Lovelace","currency":"EUR","initialDeposit":"100.00"}'
            # 201 Created, Location: /accounts/$ID, ETag: "1"
            # {"accountId":"$ID",
            #  "version":1}
            curl -s 'localhost:8082/accounts/'$ID'?minVersion=1'   # waits for version 1
            # {"accountId":"$ID","updatedAt":"\u2026"}
            ```
            """;

    @Test
    void shouldParseEveryExampleOfTheReadmeAndLeaveNoCurlCommandOutside() throws Exception {
        // given
        String readme = Files.readString(TestStacks.home().resolve("README.md"));

        // when
        List<Example> examples = ReadmeExamples.parse(readme);

        // then
        assertEquals(List.of(), ReadmeExamples.unmarkedCurlLines(readme),
                "README lines with a curl command outside a <!-- example: ... --> block, which no test runs");
        assertFalse(examples.isEmpty());
        Set<String> names = new TreeSet<>();
        examples.forEach(example -> assertTrue(names.add(example.name()), "two examples named " + example.name()));
        examples.forEach(example -> assertFalse(example.steps().isEmpty(), example.name() + " has no command"));
    }

    @Test
    void shouldReadCommandStatusHeadersAndABodyBrokenOverLinesWhenAnExampleIsMarked() {
        // when
        List<Example> examples = ReadmeExamples.parse(BLOCK);

        // then
        assertEquals(1, examples.size());
        Example open = examples.get(0);
        assertEquals("open", open.name());
        assertEquals(2, open.line());
        Step opening = open.steps().get(0);
        assertEquals(4, opening.line());
        assertEquals(Integer.valueOf(201), opening.expected().status());
        assertEquals(List.of(Map.entry("Location", "/accounts/$ID"), Map.entry("ETag", "\"1\"")),
                opening.expected().headers());
        assertEquals("{\"accountId\":\"$ID\",\"version\":1}", opening.expected().body());
        Request request = opening.request(Map.of());
        assertEquals("POST", request.method());
        assertEquals("http://localhost:8080/accounts", request.url());
        assertEquals("{\"owner\":\"Ada Lovelace\",\"currency\":\"EUR\",\"initialDeposit\":\"100.00\"}", request.body());
        Step reading = open.steps().get(1);
        assertNull(reading.expected().status());
        assertEquals("http://localhost:8082/accounts/42?minVersion=1", reading.request(Map.of("ID", "42")).url());
    }

    @Test
    void shouldReadATokenAssignmentAndSendTheTokenWhenAnExampleSetsOne() {
        // given
        String block = "<!-- example: token -->\n```\nTOKEN=$(bin/dev-token customer ada-1)\n"
                + "curl -s localhost:8082/accounts -H \"Authorization: Bearer $TOKEN\"\n# {}\n```\n";
        String other = "<!-- example: other -->\n```\nTOKEN=$(rm -rf /tmp/x)\ncurl -s localhost:8082/accounts\n# {}\n```\n";

        // when
        List<Step> steps = ReadmeExamples.parse(block).get(0).steps();

        // then
        assertEquals(Map.entry("TOKEN", List.of("bin/dev-token", "customer", "ada-1")), steps.get(0).assignment().orElseThrow());
        assertTrue(steps.get(1).assignment().isEmpty());
        assertEquals(Map.of("Authorization", "Bearer abc.def.ghi"), steps.get(1).request(Map.of("TOKEN", "abc.def.ghi")).headers());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ReadmeExamples.parse(other)).getMessage()
                .contains("neither a curl command"));
    }

    @Test
    void shouldRefuseAnExampleWhoseCommandShowsNoResponseOrWhoseReasonIsWrong() {
        // given
        String silent = "<!-- example: silent -->\n```\ncurl -s localhost:8082/accounts\n```\n";
        String wrongReason = "<!-- example: wrong -->\n```\ncurl -i localhost:8082/accounts\n# 200 Fine\n# {}\n```\n";

        // when / then
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ReadmeExamples.parse(silent)).getMessage()
                .contains("shows no response"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ReadmeExamples.parse(wrongReason)).getMessage()
                .contains("the reason phrase of 200 is 'OK'"));
    }

    @Test
    void shouldReportACurlCommandInACodeBlockWithoutAMarker() {
        // given
        String markdown = BLOCK + "\n```\ncurl -s localhost:8082/bank/totals\n```\n";

        // when / then
        assertEquals(List.of(14), ReadmeExamples.unmarkedCurlLines(markdown));
    }

    @Test
    void shouldBindAVariableTheFirstTimeAndHoldItToItsValueAfterwards() {
        // given
        Map<String, String> bound = new HashMap<>();

        // when
        Optional<String> first = ReadmeExamples.match("{\"accountId\":\"$ID\",\"at\":\"\u2026\"}",
                "{\"accountId\":\"7b0c-11\",\"at\":\"2026-12-01T07:00:00Z\"}", Map.of(), bound);
        Optional<String> same = ReadmeExamples.match("/accounts/$ID", "/accounts/7b0c-11", bound, new HashMap<>());
        Optional<String> other = ReadmeExamples.match("/accounts/$ID", "/accounts/9f9f-22", bound, new HashMap<>());

        // then
        assertEquals(Optional.empty(), first);
        assertEquals(Map.of("ID", "7b0c-11"), bound);
        assertEquals(Optional.empty(), same);
        assertTrue(other.isPresent());
    }

    @Test
    void shouldNameTheFirstDifferenceWhenAResponseDrifted() {
        // when
        Optional<String> difference = ReadmeExamples.match("{\"balance\":\"120.00\",\"status\":\"OPEN\",\"updatedAt\":\"\u2026\"}",
                "{\"balance\":\"125.00\",\"status\":\"OPEN\",\"updatedAt\":\"2026-12-01T07:00:00Z\"}", Map.of(), new HashMap<>());

        // then
        assertTrue(difference.isPresent());
        assertTrue(difference.get().contains("after '{\"balance\":\"12'"), difference.get());
        assertTrue(difference.get().contains("README shows: 0.00\",\"status\""), difference.get());
        assertTrue(difference.get().contains("system says:  5.00\",\"status\""), difference.get());
    }

    @Test
    void shouldNotLetAnEllipsisReachPastTheEndOfAString() {
        // when / then: \u2026 stands for part of one value, never for several members
        assertTrue(ReadmeExamples.match("{\"a\":\"\u2026\"}", "{\"a\":\"x\",\"b\":\"y\"}", Map.of(), new HashMap<>()).isPresent());
        assertTrue(ReadmeExamples.match("{\"a\":\"\u2026\",\"b\":\"y\"}", "{\"a\":\"x\",\"b\":\"y\"}", Map.of(), new HashMap<>()).isEmpty());
    }

    @Test
    void shouldSplitWordsAsTheShellDoesWhenQuotesAndVariablesMeet() {
        // when
        List<String> words = ShellWords.split(
                "curl -s 'localhost:8082/accounts/'$ID'?x=1' -H \"If-Match: \\\"$V\\\"\" # a comment", Map.of("ID", "a1", "V", "3"));

        // then
        assertEquals(List.of("curl", "-s", "localhost:8082/accounts/a1?x=1", "-H", "If-Match: \"3\""), words);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ShellWords.split("curl $NOPE", Map.of()))
                .getMessage().contains("$NOPE is used before an example binds it"));
    }

    @Test
    void shouldSendWhatCurlSendsWhenADataOptionHasNoContentType() {
        // when
        Request form = Request.ofCurl(List.of("curl", "-d", "{}", "localhost:8080/accounts"), 1);
        Request close = Request.ofCurl(List.of("curl", "-i", "-X", "POST", "localhost:8080/accounts/a1/close"), 1);

        // then
        assertEquals("POST", form.method());
        assertEquals("application/x-www-form-urlencoded", form.headers().get("Content-Type"));
        assertEquals("POST", close.method());
        assertNull(close.body());
        assertTrue(close.includeHeaders());
    }
}
