package dev.eventbank.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
        assertRefused("unknown option \"--bogus\" (bin/bench --help)", "--bogus");
        assertRefused("unknown option \"\" (bin/bench --help)", "");
        assertRefused("--out needs a value (bin/bench --help)", "--out");
        assertRefused("--out needs a value (bin/bench --help)", "--out", "");
        // an option where a value should be is not taken as the value (it would have named the results file "--help")
        assertRefused("--out needs a value (bin/bench --help)", "--out", "--help");
        assertRefused("--only needs a value (bin/bench --help)", "--only", "--quick");
        assertRefused("--only takes some of load,peer,history,rebuild,restore, comma-separated, not \"nonsense\"",
                "--only", "nonsense");
        assertRefused("--only takes some of load,peer,history,rebuild,restore, comma-separated, not \"rebuild,,\"",
                "--only", "rebuild,,");
        for (String number : List.of("abc", "-3", "0", "1.5", "+5", " 5", "2147483648", "\u0661\u0660")) {
            assertRefused("--rebuild-accounts takes a whole number from 1 to 999999999, not \"" + number + "\"",
                    "--rebuild-accounts", number);
        }
        assertRefused("--clients takes comma-separated whole numbers from 1 to 999999999, not \"1,,2\"", "--clients",
                "1,,2");
        assertRefused("--clients takes comma-separated whole numbers from 1 to 999999999, not \"1,x\"", "--clients",
                "1,x");
    }

    @Test
    void theResultsFileIsNeitherADirectoryNorAnEarlierRunsFile(@TempDir Path home) throws IOException {
        Files.createDirectories(home.resolve("docs"));
        Files.writeString(home.resolve("docs/earlier.md"), "results");

        assertEquals(home.resolve("docs/new.md"), BenchOptions.resultsPath(home, "docs/new.md", false));
        assertEquals(home.resolve("docs/earlier.md"), BenchOptions.resultsPath(home, "docs/earlier.md", true));
        assertRefusedPath("--out docs is a directory: give a file's path", home, "docs", true);
        assertRefusedPath("--out nope/../docs is a directory: give a file's path", home, "nope/../docs", true);
        assertRefusedPath("--out " + home + " is a directory: give a file's path", home, home.toString(), true);
        assertRefusedPath("nope/../docs/earlier.md exists (an earlier run's results, which the docs may cite): give "
                + "another --out FILE, or --overwrite to replace it", home, "nope/../docs/earlier.md", false);
    }

    @Test
    void theParserCompilesAloneAsBinBenchRunsIt(@TempDir Path out) {
        // bin/bench runs BenchOptions.java as a single-file program before the build: on Java 17 that compiles this
        // one file, so a reference to another class of the bench would break it (newer JDKs would find the class)
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int status = compiler.run(null, null, errors, "--release", "17", "-proc:none", "-classpath", "",
                "-sourcepath", "", "-d", out.toString(),
                Path.of("src/main/java/dev/eventbank/bench/BenchOptions.java").toString());
        assertEquals(0, status, errors.toString());
    }

    @Test
    void helpEndsTheLineUnlessAMistakeCameFirst() {
        for (List<String> line : List.of(List.of("--help"), List.of("-h"), List.of("--quick", "--help"),
                List.of("--help", "--bogus"))) {
            assertTrue(BenchOptions.parse(line.toArray(String[]::new)).help, line.toString());
        }
        assertRefused("unknown option \"--bogus\" (bin/bench --help)", "--bogus", "--help");
    }

    private static void assertRefusedPath(String message, Path home, String name, boolean overwrite) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> BenchOptions.resultsPath(home, name, overwrite));
        assertEquals(message, refused.getMessage());
    }

    private static void assertRefused(String message, String... args) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse(args));
        assertEquals(message, refused.getMessage());
    }
}
