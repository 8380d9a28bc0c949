package dev.eventbank.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The command line of {@code bin/bench}: which sections run, their sizes and the results file. The one parser of it:
 * {@link Benchmarks#main} uses it, and {@code bin/bench} runs this file on its own first, as a single-file source
 * program ({@code java BenchOptions.java --check HOME ARGS}), so that a mistake is refused before the install and the
 * build that take minutes. Why it depends on nothing but the JDK: that single-file launch compiles this file alone
 * (on Java 17; {@code BenchOptionsTest} compiles it so).
 */
public final class BenchOptions {

    /** The sections, in the order they run. */
    static final List<String> SECTIONS = List.of("load", "peer", "history", "rebuild", "restore");

    /** {@code --check}'s exit status when it printed the usage: the caller stops there, successfully. */
    static final int HELP_PRINTED = 10;

    static final String USAGE = """
            usage: bin/bench [options]
              --quick                 small runs (about 10 minutes in all): 1,000 accounts, 5 s measured, 20 s
                                      warm-up, histories up to 10,000 events, 1,000 rebuild accounts; options given
                                      with it override these, wherever it stands
              --only SECTIONS         some of load,peer,history,rebuild,restore, comma-separated (default: all)
              --out FILE              the results file, absolute or relative to the repository (default
                                      docs/benchmarks-<yyyy-MM-dd-HHmm UTC>.md); an existing file is refused
              --overwrite             replace an existing --out FILE
              --accounts N            accounts of the spread workload, load and peer (default 10,000)
              --seconds N             each measured run of load and peer (default 20)
              --warmup-seconds N      each system once, before its first measured run (default 90); each run also
                                      has a fixed warm-up of its own (5 s, quick 2 s)
              --clients 1,16,64       closed-loop client counts, load and peer
              --partitions N          partitions of the stacks' topics (default 12)
              --history-lengths 10,1000,100000
                                      events of the accounts the history section loads
              --rebuild-accounts N    accounts of 100 events each, rebuild and restore (default 10,000)
              -h, --help              this text
            """;

    List<String> args = List.of();
    /** {@code -h} or {@code --help} stood where an option does, before any mistake: nothing after it is read. */
    boolean help;
    List<String> only = SECTIONS;
    /** Null: a new file named after the start ({@link ResultsFile#choose}). */
    String out;
    boolean overwrite;
    int accounts = 10_000;
    int partitions = 12;
    int visibilitySamples = 500;
    Duration systemWarmup = Duration.ofSeconds(90);
    Duration warmup = Duration.ofSeconds(5);
    Duration measured = Duration.ofSeconds(20);
    int[] clients = {1, 16, 64};
    int[] historyLengths = {10, 1_000, 100_000};
    int historySamples = 50;
    int rebuildAccounts = 10_000;
    int rebuildEventsPerAccount = 100;

    private BenchOptions() {
    }

    /** Whether {@code section} (one of {@link #SECTIONS}) runs. */
    boolean runs(String section) {
        return only.contains(section);
    }

    /** Whether a section that puts commands through the REST API runs (load or peer): their header and CPU columns. */
    boolean runsCommandLoad() {
        return runs("load") || runs("peer");
    }

    /**
     * Reads a command line, left to right, up to its end or to {@code -h} or {@code --help} ({@link #help}).
     *
     * @throws IllegalArgumentException naming the option, for an unknown option, a missing value (or one that is
     *                                  itself an option), a section that does not exist, or a number that is not a
     *                                  whole number above zero
     */
    static BenchOptions parse(String[] args) {
        BenchOptions options = new BenchOptions();
        options.args = List.of(args);
        // --quick sets the sizes the other options then change, wherever it stands in the line
        if (options.args.contains("--quick")) {
            options.accounts = 1000;
            options.systemWarmup = Duration.ofSeconds(20);
            options.warmup = Duration.ofSeconds(2);
            options.measured = Duration.ofSeconds(5);
            options.visibilitySamples = 100;
            options.historyLengths = new int[]{10, 1_000, 10_000};
            options.historySamples = 20;
            options.rebuildAccounts = 1_000;
        }
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--quick" -> {
                }
                case "--help", "-h" -> {
                    options.help = true;
                    return options;
                }
                case "--overwrite" -> options.overwrite = true;
                case "--only" -> {
                    List<String> sections = List.of(value(args, ++i, option).split(",", -1));
                    if (!SECTIONS.containsAll(sections)) {
                        throw new IllegalArgumentException("--only takes some of " + String.join(",", SECTIONS)
                                + ", comma-separated, not \"" + args[i] + "\"");
                    }
                    options.only = sections;
                }
                case "--out" -> options.out = value(args, ++i, option);
                case "--accounts" -> options.accounts = positive(args, ++i, option);
                case "--seconds" -> options.measured = Duration.ofSeconds(positive(args, ++i, option));
                case "--warmup-seconds" -> options.systemWarmup = Duration.ofSeconds(positive(args, ++i, option));
                case "--clients" -> options.clients = positives(args, ++i, option);
                case "--partitions" -> options.partitions = positive(args, ++i, option);
                case "--history-lengths" -> options.historyLengths = positives(args, ++i, option);
                case "--rebuild-accounts" -> options.rebuildAccounts = positive(args, ++i, option);
                default -> throw new IllegalArgumentException("unknown option \"" + option + "\" (bin/bench --help)");
            }
        }
        return options;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length || args[i].isBlank() || args[i].startsWith("--") || args[i].equals("-h")) {
            throw new IllegalArgumentException(option + " needs a value (bin/bench --help)");
        }
        return args[i];
    }

    private static int positive(String[] args, int i, String option) {
        String text = value(args, i, option);
        return positive(text, text, option);
    }

    private static int positive(String text, String whole, String option) {
        // plain ASCII digits only: Integer.parseInt also takes a sign and other scripts' digits
        int number = text.matches("[0-9]{1,9}") ? Integer.parseInt(text) : 0;
        if (number > 0) {
            return number;
        }
        throw new IllegalArgumentException(option + " takes " + (whole.equals(text) ? "a whole number"
                : "comma-separated whole numbers") + " from 1 to 999999999, not \"" + whole + "\"");
    }

    private static int[] positives(String[] args, int i, String option) {
        String csv = value(args, i, option);
        return Arrays.stream(csv.split(",", -1)).mapToInt(s -> positive(s, csv, option)).toArray();
    }

    /**
     * The results file {@code name} names: absolute, or relative to {@code home}, normalized.
     *
     * @throws IllegalArgumentException if it is a directory, or exists and {@code overwrite} is false (an earlier
     *                                  run's results, which the docs may cite), naming it as given
     */
    static Path resultsPath(Path home, String name, boolean overwrite) {
        Path path = home.resolve(name).toAbsolutePath().normalize();
        if (Files.isDirectory(path)) {
            throw new IllegalArgumentException("--out " + name + " is a directory: give a file's path");
        }
        if (!overwrite && Files.exists(path)) {
            throw new IllegalArgumentException(name + " exists (an earlier run's results, which the docs may cite): "
                    + "give another --out FILE, or --overwrite to replace it");
        }
        return path;
    }

    /**
     * {@code --check HOME ARGS} ({@code HOME}: the repository): exits 0 if {@link #parse} takes ARGS and their
     * {@code --out}, if any, passes {@link #resultsPath}; if not, exits 2 with one line on standard error; if they
     * ask for help, prints {@link #USAGE} and exits {@link #HELP_PRINTED}.
     */
    public static void main(String[] args) {
        if (args.length < 2 || !args[0].equals("--check")) {
            System.err.println("usage: java BenchOptions.java --check HOME [bin/bench's options]");
            System.exit(2);
        }
        try {
            BenchOptions options = parse(Arrays.copyOfRange(args, 2, args.length));
            if (options.help) {
                System.out.print(USAGE);
                System.exit(HELP_PRINTED);
            }
            if (options.out != null) {
                resultsPath(Path.of(args[1]), options.out, options.overwrite);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
        }
    }
}
