package ccbt.bench.jmh;

import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs every JMH benchmark of this package and rewrites the JMH section of {@code docs/benchmarks.md}.
 *
 * <pre>
 * java -cp bench/target/ccbt-bench.jar ccbt.bench.jmh.RunJmh [--quick] [--include REGEX] [--root DIR] [--no-write]
 * </pre>
 *
 * {@code --quick}: 1 warm-up and 2 measured iterations of 1 s; default: 3 warm-ups of 1 s and 5 iterations
 * of 2 s; always one fork per benchmark, started with the parent pom's {@code ccbt.jvm.flags}.
 */
public final class RunJmh {
    private static final String PACKAGE = "ccbt.bench.jmh.";
    private static final Pattern FLAGS = Pattern.compile("<ccbt\\.jvm\\.flags>([^<]*)</ccbt\\.jvm\\.flags>");

    private RunJmh() {
    }

    public static void main(final String[] args) throws IOException, RunnerException {
        boolean quick = false;
        boolean write = true;
        String include = "";
        Path root = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--no-write" -> write = false;
                case "--include" -> include = value(args, ++i, "--include");
                case "--root" -> root = Path.of(value(args, ++i, "--root"));
                case "-h", "--help" -> {
                    System.out.println("usage: RunJmh [--quick] [--include REGEX] [--root DIR] [--no-write]");
                    return;
                }
                default -> {
                    System.err.println("RunJmh: unknown argument '" + args[i] + "' (try --help)");
                    System.exit(2);
                }
            }
        }
        if (root == null) {
            root = findRoot();
        }
        final List<String> jvmArgs = new ArrayList<>(jvmFlags(root));
        jvmArgs.add("-Xmx2g");
        final Path diagnostics = Files.createTempFile("ccbt-jmh-diagnostics", ".txt");
        jvmArgs.add("-D" + HashVerifyBench.DIAGNOSTICS + "=" + diagnostics);

        final String loadStart = loadAverage();
        final Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        final String settings = quick
            ? "quick: 1 fork, 1 warm-up iteration of 1 s, 2 measured iterations of 1 s"
            : "1 fork, 3 warm-up iterations of 1 s, 5 measured iterations of 2 s";
        final List<RunResult> results = new ArrayList<>();
        // One pass: since BLAKE3's rounds are a loop, its vector code is compiled within the first warm-up second.
        final ChainedOptionsBuilder main = options(quick, jvmArgs)
            .include(Pattern.quote(PACKAGE) + (include.isEmpty() ? "" : ".*(" + include + ")"))
            .warmupIterations(quick ? 1 : 3)
            .warmupTime(TimeValue.seconds(1));
        results.addAll(new Runner(main.build()).run());
        final List<JmhReport.Row> rows = rows(results);
        final JmhReport.Machine machine = machine(loadStart, start, settings);
        final List<String> notes = Files.readAllLines(diagnostics, StandardCharsets.UTF_8);
        Files.delete(diagnostics);
        final String section = JmhReport.section(rows, machine, include, notes);
        System.out.println();
        System.out.println(section);
        if (rows.isEmpty()) {
            System.err.println("RunJmh: no benchmark produced a result; docs/benchmarks.md left as it was");
            System.exit(1);
        }
        if (write) {
            final Path doc = root.resolve("docs").resolve("benchmarks.md");
            Files.createDirectories(doc.getParent());
            final String old = Files.exists(doc) ? Files.readString(doc, StandardCharsets.UTF_8) : null;
            Files.writeString(doc, JmhReport.splice(old, section), StandardCharsets.UTF_8);
            System.out.println("RunJmh: wrote " + rows.size() + " results to " + doc);
        }
    }

    private static ChainedOptionsBuilder options(final boolean quick, final List<String> jvmArgs) {
        return new OptionsBuilder()
            .forks(1)
            .measurementIterations(quick ? 2 : 5)
            .measurementTime(TimeValue.seconds(quick ? 1 : 2))
            .jvmArgs(jvmArgs.toArray(String[]::new))
            .shouldFailOnError(false);
    }

    private static String value(final String[] args, final int i, final String option) {
        if (i >= args.length) {
            System.err.println("RunJmh: " + option + " needs a value");
            System.exit(2);
        }
        return args[i];
    }

    /** Turns JMH's results into report rows, in a stable order (class, method, parameters). */
    public static List<JmhReport.Row> rows(final Collection<RunResult> results) {
        final List<JmhReport.Row> rows = new ArrayList<>();
        for (final RunResult run : results) {
            final var params = run.getParams();
            final String name = params.getBenchmark().startsWith(PACKAGE)
                ? params.getBenchmark().substring(PACKAGE.length()) : params.getBenchmark();
            final List<String> keys = new ArrayList<>(params.getParamsKeys());
            final StringBuilder p = new StringBuilder();
            int shards = 1;
            for (final String k : keys) {
                if (!p.isEmpty()) {
                    p.append(", ");
                }
                p.append(k).append('=').append(params.getParam(k));
                if (k.equals("shards")) {
                    shards = Integer.parseInt(params.getParam(k));
                }
            }
            final Result<?> primary = run.getPrimaryResult();
            final BenchmarkResult aggregated = run.getAggregatedResult();
            final Result<?> bytes = aggregated.getSecondaryResults().get(ByteCounter.RESULT);
            final var stats = primary.getStatistics();
            rows.add(new JmhReport.Row(name, p.toString(), primary.getScore(), primary.getScoreError(),
                stats.getN() > 0 ? stats.getMin() : Double.NaN, stats.getN() > 0 ? stats.getMax() : Double.NaN,
                primary.getScoreUnit(), bytes == null ? Double.NaN : perSecond(bytes), shards));
        }
        rows.sort(Comparator.comparing(JmhReport.Row::benchmark).thenComparing(JmhReport.Row::params));
        return rows;
    }

    /** A secondary result's score in units per second, whatever time unit JMH reported it in. */
    private static double perSecond(final Result<?> r) {
        final String unit = r.getScoreUnit();
        final double score = r.getScore();
        return switch (unit.substring(unit.indexOf('/') + 1)) {
            case "s" -> score;
            case "ms" -> score * 1e3;
            case "us" -> score * 1e6;
            case "ns" -> score * 1e9;
            default -> throw new IllegalStateException("unexpected unit " + unit + " for " + r.getLabel());
        };
    }

    /**
     * The ccbt source tree: {@code -Dccbt.project.root}, else the first directory above the running jar
     * (or classes directory) or above the working directory whose pom.xml declares {@code ccbt.jvm.flags}.
     */
    static Path findRoot() {
        final String property = System.getProperty("ccbt.project.root");
        if (property != null && !property.isBlank()) {
            return Path.of(property).toAbsolutePath();
        }
        final List<Path> starts = new ArrayList<>();
        try {
            starts.add(Path.of(RunJmh.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (final URISyntaxException | SecurityException | NullPointerException e) {
            // no code source: the working directory alone is searched
        }
        starts.add(Path.of("").toAbsolutePath());
        for (final Path start : starts) {
            for (Path dir = start.toAbsolutePath(); dir != null; dir = dir.getParent()) {
                final Path pom = dir.resolve("pom.xml");
                try {
                    if (Files.isRegularFile(pom) && FLAGS.matcher(Files.readString(pom)).find()) {
                        return dir;
                    }
                } catch (final IOException e) {
                    // unreadable pom: keep climbing
                }
            }
        }
        throw new IllegalStateException("cannot find the ccbt source tree (a pom.xml declaring ccbt.jvm.flags) above "
            + starts + "; run from the tree or pass --root DIR");
    }

    /** The parent pom's {@code ccbt.jvm.flags}, split on white space. */
    static List<String> jvmFlags(final Path root) throws IOException {
        final Path pom = root.resolve("pom.xml");
        final Matcher m = FLAGS.matcher(Files.readString(pom, StandardCharsets.UTF_8));
        if (!m.find()) {
            throw new IllegalStateException(pom + " declares no <ccbt.jvm.flags>");
        }
        final List<String> flags = Arrays.stream(m.group(1).trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
        if (!flags.contains("-Dchronicle.analytics.disable=true")) {
            // Chronicle Map would otherwise try to reach an analytics host on the internet
            throw new IllegalStateException(pom + ": ccbt.jvm.flags lacks -Dchronicle.analytics.disable=true");
        }
        return flags;
    }

    static String loadAverage() {
        try {
            final String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + ", " + f[1] + ", " + f[2];
        } catch (final IOException | ArrayIndexOutOfBoundsException e) {
            return "unknown";
        }
    }

    private static JmhReport.Machine machine(final String loadStart, final Instant start, final String settings) {
        String cpu = "unknown CPU";
        String flags = "";
        try {
            for (final String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                final int colon = line.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                final String key = line.substring(0, colon).trim();
                final String value = line.substring(colon + 1).trim();
                if (key.equals("model name") && cpu.equals("unknown CPU")) {
                    cpu = value;
                } else if (key.equals("flags") && flags.isEmpty()) {
                    final List<String> present = Arrays.asList(value.split("\\s+"));
                    flags = String.join(", ", Arrays.stream(new String[] {"sha_ni", "avx2", "avx512f"})
                        .filter(present::contains).toList());
                }
            }
        } catch (final IOException e) {
            // not Linux: the CPU stays unnamed
        }
        final double load1 = parseLoad1(loadStart);
        return new JmhReport.Machine(Runtime.getRuntime().availableProcessors(), cpu, flags,
            System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
            loadStart, load1, loadAverage(), start + " (start, UTC)", settings,
            "");
    }

    private static double parseLoad1(final String load) {
        try {
            return Double.parseDouble(load.substring(0, load.indexOf(',')).trim());
        } catch (final RuntimeException e) {
            return Double.NaN;
        }
    }
}
