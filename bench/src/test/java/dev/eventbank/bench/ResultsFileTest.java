package dev.eventbank.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResultsFileTest {

    private static final ZonedDateTime START = ZonedDateTime.of(2026, 12, 2, 19, 5, 42, 0, ZoneOffset.ofHours(1));

    @Test
    void withoutOutTheFileIsNamedAfterTheStartInUtc(@TempDir Path home) throws IOException {
        ResultsFile file = ResultsFile.choose(home, null, false, START);

        assertEquals(home.resolve("docs/benchmarks-2026-12-02-1805.md"), file.path());
        assertEquals(file.path(), file.write("report", START));
        assertEquals("report", Files.readString(file.path()));
    }

    @Test
    void anExistingFileIsRefusedBeforeTheRunStarts(@TempDir Path home) throws IOException {
        Files.createDirectories(home.resolve("docs"));
        Files.writeString(home.resolve("docs/benchmarks-night.md"), "an earlier run");

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> ResultsFile.choose(home, "docs/benchmarks-night.md", false, START));

        assertTrue(refused.getMessage().contains("docs/benchmarks-night.md exists"), refused.getMessage());
        assertTrue(refused.getMessage().contains("--overwrite"), refused.getMessage());
        assertEquals("an earlier run", Files.readString(home.resolve("docs/benchmarks-night.md")));
    }

    @Test
    void overwriteReplacesAnExistingFile(@TempDir Path home) throws IOException {
        Files.writeString(home.resolve("out.md"), "an earlier run");

        ResultsFile file = ResultsFile.choose(home, "out.md", true, START);

        assertEquals(home.resolve("out.md"), file.write("this run", START));
        assertEquals("this run", Files.readString(home.resolve("out.md")));
    }

    @Test
    void aFileThatAppearedDuringTheRunIsKeptAndTheReportGoesBesideIt(@TempDir Path home) throws IOException {
        ResultsFile file = ResultsFile.choose(home, "docs/run.md", false, START);
        Files.createDirectories(home.resolve("docs"));
        Files.writeString(home.resolve("docs/run.md"), "a run that finished first");

        Path written = file.write("this run", START);

        assertEquals(home.resolve("docs/run-42s.md"), written);
        assertEquals("this run", Files.readString(written));
        assertEquals("a run that finished first", Files.readString(home.resolve("docs/run.md")));
    }
}
