package dev.eventbank.bench;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Where a run's report goes. Results files are cited by the README and the performance pages, so a run never
 * replaces one unless asked to: two runs of 2026-12-02 had silently overwritten the files of the day before
 * through the same {@code --out} name. Chosen and checked before the run starts, so that a name already taken is
 * refused in a second, not after an hour of measuring.
 *
 * @param path      the file, absolute
 * @param overwrite whether an existing file may be replaced ({@code --overwrite})
 */
record ResultsFile(Path path, boolean overwrite) {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmm");
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("ss");

    /**
     * The results file of a run started at {@code start}: {@code requested} (absolute, or relative to {@code home})
     * or, when null, {@code docs/benchmarks-<yyyy-MM-dd-HHmm UTC>.md}.
     *
     * @throws IllegalArgumentException when the file is a directory, or exists and {@code overwrite} is false
     *                                  ({@link BenchOptions#resultsPath})
     */
    static ResultsFile choose(Path home, String requested, boolean overwrite, ZonedDateTime start) {
        String name = requested != null ? requested
                : "docs/benchmarks-" + start.withZoneSameInstant(ZoneOffset.UTC).format(STAMP) + ".md";
        return new ResultsFile(BenchOptions.resultsPath(home, name, overwrite), overwrite);
    }

    /**
     * Writes {@code report}. Should the file have appeared since {@link #choose} (another run finishing first) and
     * {@code overwrite} be false, writes beside it instead, its name ending in the seconds of {@code now}, rather
     * than losing either run.
     *
     * @return the file written
     * @throws IOException when neither can be written
     */
    Path write(String report, ZonedDateTime now) throws IOException {
        Files.createDirectories(path.getParent());
        if (overwrite) {
            return Files.writeString(path, report);
        }
        try {
            return Files.writeString(path, report, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            String name = path.getFileName().toString();
            int dot = name.lastIndexOf('.');
            String stem = dot > 0 ? name.substring(0, dot) : name;
            String extension = dot > 0 ? name.substring(dot) : "";
            Path beside = path.resolveSibling(stem + "-" + now.format(SECONDS) + "s" + extension);
            return Files.writeString(beside, report, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }
    }
}
