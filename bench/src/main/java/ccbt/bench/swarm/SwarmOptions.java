package ccbt.bench.swarm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The options of {@code bench swarm}.
 *
 * @param size      payload bytes
 * @param files     number of files in the torrent
 * @param pieceSize piece length
 * @param seeders   K of the "K seeders → 1 leecher" scenario
 * @param leechers  N of the "1 seeder → N leechers" scenario
 * @param subject   the client under test ({@code ccbt}; {@code libtorrent} runs "real vs real" to check the harness)
 * @param against   the reference client
 * @param reps      repetitions of each scenario
 * @param out       where results, logs and the chart go
 * @param docs      the docs directory whose {@code benchmarks.md} is updated, or null to leave docs alone
 * @param scenarios the scenarios to run
 * @param quick     short limit measurements (for tests)
 * @param ltScript  the libtorrent driver script, or null to find it
 * @param ccbt      the command that runs ccbt (e.g. {@code bin/ccbt}), or null for this JVM's class path
 * @param timeoutSeconds time-out of one trial, or 0 for one derived from the size
 * @param note      a sentence for the report on the circumstances of the run (e.g. why a smaller size), or null
 */
public record SwarmOptions(long size, int files, int pieceSize, int seeders, int leechers, String subject,
                           String against, int reps, Path out, Path docs, List<String> scenarios, boolean quick,
                           Path ltScript, List<String> ccbt, long timeoutSeconds, String note) {
    /** Every scenario, in the order they run. */
    public static final List<String> ALL_SCENARIOS = List.of("download", "upload", "swarm", "fanout", "recheck");
    static final List<String> CLIENTS = List.of("ccbt", "libtorrent", "aria2", "transmission");

    static final String USAGE = """
        usage: bench swarm [--size 1GiB] [--files N] [--piece-size S] [--seeders K] [--leechers N]
                           [--against libtorrent|aria2|transmission] [--subject ccbt|libtorrent] [--reps 3]
                           [--out DIR (target/bench-swarm)] [--docs DIR | --no-docs] [--scenarios download,upload,swarm,fanout,recheck]
                           [--quick] [--lt-script PATH] [--ccbt "COMMAND"] [--timeout SECONDS] [--note "TEXT"]
          --quick: 8 MiB, 1 rep, download and recheck only, short limit measurements
          --subject libtorrent: "real vs real", to check the harness without ccbt
          --note: a sentence the report shows under the command line (e.g. why the size is smaller)""";

    /** Parses the arguments after {@code swarm}; {@code projectRoot} gives the default docs directory. */
    public static SwarmOptions parse(final List<String> args, final Path projectRoot) {
        boolean quick = args.contains("--quick");
        long size = quick ? 8L << 20 : 1L << 30;
        int files = 1;
        int pieceSize = quick ? 256 << 10 : 1 << 20;
        int seeders = 4;
        int leechers = 8;
        String subject = "ccbt";
        String against = "libtorrent";
        int reps = quick ? 1 : 3;
        Path out = Path.of("target", "bench-swarm"); // ignored by git, beside the build output
        Path docs = projectRoot != null && Files.isDirectory(projectRoot.resolve("docs")) ? projectRoot.resolve("docs") : null;
        List<String> scenarios = quick ? List.of("download", "recheck") : ALL_SCENARIOS;
        Path ltScript = null;
        List<String> ccbt = null;
        long timeout = 0;
        String note = null;
        for (int i = 0; i < args.size(); i++) {
            final String a = args.get(i);
            switch (a) {
                case "--quick" -> quick = true;
                case "--no-docs" -> docs = null;
                case "--help", "-h" -> throw new IllegalArgumentException(USAGE);
                default -> {
                    if (i + 1 >= args.size()) {
                        throw new IllegalArgumentException("unknown option or missing value: " + a + "\n" + USAGE);
                    }
                    final String v = args.get(++i);
                    switch (a) {
                        case "--size" -> size = parseSize(v);
                        case "--files" -> files = positive(a, v);
                        case "--piece-size" -> pieceSize = pieceSize(v);
                        case "--seeders" -> seeders = positive(a, v);
                        case "--leechers" -> leechers = positive(a, v);
                        case "--subject" -> subject = client(a, v);
                        case "--against" -> against = client(a, v);
                        case "--reps" -> reps = positive(a, v);
                        case "--out" -> out = Path.of(v);
                        case "--docs" -> docs = Path.of(v);
                        case "--scenarios" -> scenarios = scenarios(v);
                        case "--lt-script" -> ltScript = Path.of(v);
                        case "--ccbt" -> ccbt = List.of(v.strip().split("\\s+"));
                        case "--timeout" -> timeout = positive(a, v);
                        case "--note" -> note = v.isBlank() ? null : v.strip();
                        default -> throw new IllegalArgumentException("unknown option: " + a + "\n" + USAGE);
                    }
                }
            }
        }
        if (size < files) {
            throw new IllegalArgumentException("--size " + size + " is smaller than --files " + files);
        }
        return new SwarmOptions(size, files, pieceSize, seeders, leechers, subject, against, reps, out, docs,
            scenarios, quick, ltScript, ccbt, timeout, note);
    }

    /** Parses sizes such as {@code 1GiB}, {@code 512MiB}, {@code 256KiB}, {@code 1000000} (bytes). */
    public static long parseSize(final String text) {
        final String t = text.strip();
        int end = 0;
        while (end < t.length() && (Character.isDigit(t.charAt(end)) || t.charAt(end) == '.')) {
            end++;
        }
        if (end == 0) {
            throw new IllegalArgumentException("not a size: '" + text + "' (expected e.g. 1GiB, 64MiB, 4096)");
        }
        final double number = Double.parseDouble(t.substring(0, end));
        final long unit = switch (t.substring(end).strip().toLowerCase(Locale.ROOT)) {
            case "", "b" -> 1L;
            case "k", "kib" -> 1L << 10;
            case "m", "mib" -> 1L << 20;
            case "g", "gib" -> 1L << 30;
            case "kb" -> 1000L;
            case "mb" -> 1000_000L;
            case "gb" -> 1000_000_000L;
            default -> throw new IllegalArgumentException("unknown unit in size '" + text + "' (use KiB, MiB, GiB)");
        };
        final long bytes = Math.round(number * unit);
        if (bytes <= 0) {
            throw new IllegalArgumentException("size must be positive: '" + text + "'");
        }
        return bytes;
    }

    private static int pieceSize(final String v) {
        final long s = parseSize(v);
        if (s < 16 << 10 || Long.bitCount(s) != 1 || s > 1 << 28) {
            throw new IllegalArgumentException("--piece-size must be a power of two from 16KiB to 256MiB, got " + v);
        }
        return (int) s;
    }

    private static int positive(final String option, final String v) {
        try {
            final int n = Integer.parseInt(v);
            if (n > 0) {
                return n;
            }
        } catch (final NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " needs a positive number, got '" + v + "'");
    }

    private static String client(final String option, final String v) {
        if (!CLIENTS.contains(v)) {
            throw new IllegalArgumentException(option + " must be one of " + CLIENTS + ", got '" + v + "'");
        }
        return v;
    }

    private static List<String> scenarios(final String v) {
        final List<String> out = new ArrayList<>();
        for (final String s : v.split(",")) {
            if (!ALL_SCENARIOS.contains(s.strip())) {
                throw new IllegalArgumentException("unknown scenario '" + s + "'; known: " + ALL_SCENARIOS);
            }
            out.add(s.strip());
        }
        return List.copyOf(out);
    }
}
