package dev.eventbank.bench;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchOptionsTest {

    @Test
    void withoutOptionsEverySectionRunsAtFullSize() {
        BenchOptions options = BenchOptions.parse(new String[0]);

        assertEquals(BenchOptions.SECTIONS, options.only);
        assertEquals(10_000, options.accounts);
        assertEquals(10_000, options.rebuildAccounts);
        assertEquals(Duration.ofSeconds(20), options.measured);
        assertNull(options.out);
        assertFalse(options.help);
    }

    @Test
    void quickSetsTheSizesThatOtherOptionsChangeWhereverItStands() {
        assertEquals(1_000, BenchOptions.parse(new String[]{"--quick"}).rebuildAccounts);
        // a new user's line: --quick after the size used to put the size back to quick's
        BenchOptions after = BenchOptions.parse(new String[]{"--rebuild-accounts", "30000", "--quick"});
        assertEquals(30_000, after.rebuildAccounts);
        assertEquals(Duration.ofSeconds(5), after.measured);
        BenchOptions before = BenchOptions.parse(new String[]{"--quick", "--accounts", "50", "--only", "rebuild,load"});
        assertEquals(50, before.accounts);
        assertTrue(before.runs("rebuild"));
        assertFalse(before.runs("peer"));
    }

    @Test
    void valuesAreRead() {
        BenchOptions options = BenchOptions.parse(new String[]{"--out", "/tmp/r.md", "--overwrite", "--clients", "1,8",
                "--history-lengths", "10,100", "--seconds", "7", "--warmup-seconds", "3", "--partitions", "6"});

        assertEquals("/tmp/r.md", options.out);
        assertTrue(options.overwrite);
        assertArrayEquals(new int[]{1, 8}, options.clients);
        assertArrayEquals(new int[]{10, 100}, options.historyLengths);
        assertEquals(Duration.ofSeconds(7), options.measured);
        assertEquals(Duration.ofSeconds(3), options.systemWarmup);
        assertEquals(6, options.partitions);
    }

    @Test
    void everyMistakeIsRefusedNamingTheOption() {
        assertRefused("unknown option --bogus (bin/bench --help)", "--bogus");
        assertRefused("--out needs a value (bin/bench --help)", "--out");
        // an option where a value should be is not taken as the value (it would have named the results file "--help")
        assertRefused("--out needs a value (bin/bench --help)", "--out", "--help");
        assertRefused("--only needs a value (bin/bench --help)", "--only", "--quick");
        assertRefused("--only takes some of load,peer,history,rebuild,restore, comma-separated, not nonsense",
                "--only", "nonsense");
        assertRefused("--only takes some of load,peer,history,rebuild,restore, comma-separated, not rebuild,,",
                "--only", "rebuild,,");
        assertRefused("--rebuild-accounts takes a whole number above zero, not abc", "--rebuild-accounts", "abc");
        assertRefused("--seconds takes a whole number above zero, not -3", "--seconds", "-3");
        assertRefused("--rebuild-accounts takes a whole number above zero, not 0", "--rebuild-accounts", "0");
        assertRefused("--accounts takes a whole number above zero, not 1.5", "--accounts", "1.5");
        assertRefused("--clients takes a whole number above zero, not x", "--clients", "1,x");
    }

    @Test
    void helpEndsTheLineUnlessAMistakeCameFirst() {
        for (List<String> line : List.of(List.of("--help"), List.of("-h"), List.of("--quick", "--help"),
                List.of("--help", "--bogus"))) {
            assertTrue(BenchOptions.parse(line.toArray(String[]::new)).help, line.toString());
        }
        assertRefused("unknown option --bogus (bin/bench --help)", "--bogus", "--help");
    }

    private static void assertRefused(String message, String... args) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse(args));
        assertEquals(message, refused.getMessage());
    }
}
